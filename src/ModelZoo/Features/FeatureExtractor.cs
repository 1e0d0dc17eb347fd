using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Features;

/// <summary>
/// A zoo model as a backbone (timm's <c>features_only=True</c>): one forward pass returns the stage feature maps
/// named by the card's <see cref="ModelCard.FeatureNodes"/> (all of them, or those at <c>outIndices</c>), taken with
/// forward hooks, so the model itself is unchanged and keeps its weights. Dispose it to remove the hooks.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly string[] _nodes;
    private readonly List<Action> _removers = new();
    private readonly Tensor?[] _captured;
    private bool _disposed;

    /// <summary>Taps <paramref name="model"/> at its card's feature nodes (<see cref="IZooModel.Card"/>).</summary>
    /// <param name="model">A zoo model, as <see cref="Zoo.Create"/> built it or a checkpoint loaded it (its card says where the stages are).</param>
    /// <param name="outIndices">Which stages, 0 = shallowest; null takes all (negative counts from the deepest, -1 = last).</param>
    /// <exception cref="ArgumentException">Not a zoo model, an index is out of range, or the card's node is not a module of the model.</exception>
    public FeatureExtractor(nn.Module<Tensor, Tensor> model, IReadOnlyList<int>? outIndices = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var card = Zoo.CardOf(model);
        string name = card.Name;
        var all = card.FeatureNodes;
        if (all.Count == 0) throw new ArgumentException($"model '{name}' declares no feature stages");
        var indices = (outIndices ?? Enumerable.Range(0, all.Count).ToArray())
            .Select(i => i < 0 ? all.Count + i : i).ToArray();
        foreach (int i in indices)
            if (i < 0 || i >= all.Count) throw new ArgumentException($"feature index out of range for {name}: it has stages 0..{all.Count - 1}", nameof(outIndices));
        _model = model;
        _nodes = indices.Select(i => all[i]).ToArray();
        _captured = new Tensor?[_nodes.Length];
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        for (int k = 0; k < _nodes.Length; k++)
        {
            if (!modules.TryGetValue(_nodes[k], out var module) || module is not nn.Module<Tensor, Tensor> tap)
                throw new ArgumentException($"model '{name}' has no module '{_nodes[k]}' to take features from");
            int slot = k;
            var handle = tap.register_forward_hook((_, _, output) =>
            {
                _captured[slot] = output.alias();
                return output;
            });
            _removers.Add(() => handle.remove());
        }
    }

    /// <summary>The nodes tapped, in output order.</summary>
    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>
    /// Runs the model's trunk (<see cref="IZooModel.ForwardFeatures"/>; the whole forward for other models) on
    /// <paramref name="input"/> and returns the tapped maps, shallow to deep. The maps belong to the caller's dispose
    /// scope like any other result.
    /// </summary>
    /// <exception cref="InvalidOperationException">A tapped module did not run for this input.</exception>
    public IReadOnlyList<FeatureMap> Forward(Tensor input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(input);
        Array.Clear(_captured);
        using (var last = _model is IZooModel zoo ? zoo.ForwardFeatures(input) : _model.call(input)) { }
        var maps = new List<FeatureMap>(_nodes.Length);
        for (int k = 0; k < _nodes.Length; k++)
        {
            var map = _captured[k] ?? throw new InvalidOperationException($"module '{_nodes[k]}' did not run for this input");
            maps.Add(new FeatureMap(_nodes[k], map, (int)Math.Max(1, Math.Round((double)input.shape[2] / Math.Max(1, map.shape[2]), MidpointRounding.AwayFromZero))));
        }
        Array.Clear(_captured);
        return maps;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var remove in _removers) remove();
    }
}
