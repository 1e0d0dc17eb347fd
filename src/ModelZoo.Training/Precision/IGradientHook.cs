using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>
/// Runs between the backward pass and the optimiser step, with every parameter's gradient present.
/// The slot for a data-parallel gradient all-reduce, gradient clipping or gradient logging.
/// </summary>
public interface IGradientHook
{
    /// <summary>Called once per step after <c>backward()</c> and before <c>optimizer.step()</c>.</summary>
    /// <param name="parameters">The trainable parameters; their <c>grad</c> is set.</param>
    /// <param name="step">The global step (0-based) about to be taken.</param>
    void OnGradients(IReadOnlyList<Parameter> parameters, long step);
}
