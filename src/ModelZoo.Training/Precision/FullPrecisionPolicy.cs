using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>The default <see cref="IPrecisionPolicy"/>: float32 throughout, no scaling.</summary>
public sealed class FullPrecisionPolicy : IPrecisionPolicy
{
    /// <summary>The shared instance.</summary>
    public static FullPrecisionPolicy Instance { get; } = new();

    /// <inheritdoc />
    public Tensor Forward(Func<Tensor> forwardAndLoss)
    {
        ArgumentNullException.ThrowIfNull(forwardAndLoss);
        return forwardAndLoss();
    }

    /// <inheritdoc />
    public Tensor ScaleForBackward(Tensor loss) => loss;

    /// <inheritdoc />
    public bool BeforeOptimizerStep(IReadOnlyList<Parameter> parameters) => true;
}
