using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>The default <see cref="IPrecisionPolicy"/>: float32 throughout, no scaling, no state.</summary>
public sealed class FullPrecisionPolicy : IPrecisionPolicy
{
    private static readonly IReadOnlyDictionary<string, double> NoState = new Dictionary<string, double>();

    /// <summary>The shared instance.</summary>
    public static FullPrecisionPolicy Instance { get; } = new();

    /// <inheritdoc />
    public void Prepare(nn.Module<Tensor, Tensor> model) { }

    /// <inheritdoc />
    public (Tensor Loss, Tensor Logits) Forward(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target, ITrainingTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Compute(model, input, target);
    }

    /// <inheritdoc />
    public Tensor ScaleForBackward(Tensor loss) => loss;

    /// <inheritdoc />
    public void Unscale(IReadOnlyList<Parameter> parameters) { }

    /// <inheritdoc />
    public bool ShouldStep(IReadOnlyList<Parameter> parameters) => true;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> GetState() => NoState;

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, double> state) { }
}
