using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Wraps the forward pass and the loss before backward: the slot for mixed precision (autocast around
/// the forward, loss scaling before backward, unscaling and overflow checks before the step).
/// </summary>
public interface IPrecisionPolicy
{
    /// <summary>Runs the forward pass (model and loss) and returns the loss to back-propagate.</summary>
    Tensor Forward(Func<Tensor> forwardAndLoss);

    /// <summary>The tensor to call <c>backward()</c> on (e.g. the loss times a scale factor).</summary>
    Tensor ScaleForBackward(Tensor loss);

    /// <summary>Called after backward and the gradient hooks; returns false to skip this optimiser step (e.g. gradients overflowed).</summary>
    bool BeforeOptimizerStep(IReadOnlyList<TorchSharp.Modules.Parameter> parameters);
}
