using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// An exponential moving average of a model's weights (timm's ModelEmaV2/V3): a copy of its state dict (every
/// parameter and buffer, by name), on the model's device. <see cref="Update"/> after optimiser step t (1-based) sets each
/// parameter's average to <c>d x average + (1 - d) x parameter</c> with <c>d = </c><see cref="DecayAt"/>(t) and copies
/// every buffer (batch-norm statistics). It needs no copy of the module, so it works for every model:
/// <see cref="SwapInto"/> puts the averaged weights into the model (for evaluation) and gives back the raw ones.
/// </summary>
public sealed class ModelEma : IDisposable
{
    private readonly Dictionary<string, Tensor> _average = new(StringComparer.Ordinal);
    private readonly HashSet<string> _buffers = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Starts the average as a copy of <paramref name="model"/>'s weights.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is outside [0, 1).</exception>
    public ModelEma(nn.Module model, double decay, bool warmup = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "must be in [0, 1)");
        Decay = decay;
        Warmup = warmup;
        using (no_grad())
        {
            var parameters = model.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, t) in model.state_dict())
            {
                _average[name] = t.detach().clone().DetachFromDisposeScope();
                if (!parameters.Contains(name)) _buffers.Add(name);
            }
        }
    }

    /// <summary>The decay (the weight of the old average).</summary>
    public double Decay { get; }

    /// <summary>Whether the decay warms up (<see cref="DecayAt"/>).</summary>
    public bool Warmup { get; }

    /// <summary>The averaged tensors by state-dict name (parameters and buffers); owned by this object.</summary>
    public IReadOnlyDictionary<string, Tensor> State => _average;

    /// <summary>
    /// The decay used by the update after optimiser step <paramref name="step"/> (1-based). Without warm-up: <see cref="Decay"/>.
    /// With warm-up (timm ModelEmaV3, gamma 1, power 2/3): 0 at step 1 (the average becomes a copy), then
    /// <c>min(Decay, 1 - (1 + (step - 1))^(-2/3))</c>.
    /// </summary>
    public double DecayAt(long step)
    {
        if (!Warmup) return Decay;
        long s = step - 1;
        if (s <= 0) return 0;
        return Math.Max(0, Math.Min(Decay, 1 - Math.Pow(1 + s, -2.0 / 3.0)));
    }

    /// <summary>Folds <paramref name="model"/>'s weights in after optimiser step <paramref name="step"/> (1-based) and copies its buffers.</summary>
    /// <exception cref="ArgumentException">The model's state names differ from the average's.</exception>
    public void Update(nn.Module model, long step)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(_disposed, this);
        double d = DecayAt(step);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (name, t) in model.state_dict())
            {
                var avg = Average(name);
                if (_buffers.Contains(name) || !avg.is_floating_point()) avg.copy_(t);
                else avg.mul_(d).add_(t.detach(), alpha: 1 - d);
            }
        }
    }

    /// <summary>
    /// Exchanges the model's weights and buffers with the average's, in place: called once the model holds the
    /// average (evaluate it), called again it holds its own weights again, bit for bit.
    /// </summary>
    public void SwapInto(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (name, t) in model.state_dict())
            {
                var avg = Average(name);
                var raw = t.detach().clone();
                t.copy_(avg);
                avg.copy_(raw);
            }
        }
    }

    /// <summary>Replaces the average with <paramref name="state"/> (from a checkpoint): every name, shape and dtype must match.</summary>
    /// <exception cref="ArgumentException">A tensor is missing, extra or of another shape or dtype.</exception>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var missing = _average.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var extra = state.Keys.Where(k => !_average.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ArgumentException($"EMA state does not fit the model: missing {string.Join(", ", missing.Take(5))}; unexpected {string.Join(", ", extra.Take(5))}");
        foreach (var (name, avg) in _average)
        {
            var t = state[name];
            if (!t.shape.SequenceEqual(avg.shape) || t.dtype != avg.dtype)
                throw new ArgumentException($"EMA tensor {name} is {t.dtype}[{string.Join(",", t.shape)}], the model's {avg.dtype}[{string.Join(",", avg.shape)}]");
        }
        using (no_grad())
            foreach (var (name, avg) in _average) avg.copy_(state[name]);
    }

    private Tensor Average(string name) =>
        _average.TryGetValue(name, out var t) ? t : throw new ArgumentException($"the model has a tensor '{name}' that the EMA does not");

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _average.Values) t.Dispose();
        _average.Clear();
    }
}
