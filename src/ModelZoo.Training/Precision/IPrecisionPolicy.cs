using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Numeric precision of a step: the slot for mixed precision. Each step runs
/// <see cref="Forward"/> -> <c>backward()</c> on <see cref="ScaleForBackward"/> -> <see cref="Unscale"/> ->
/// the gradient hooks -> <see cref="ShouldStep"/> -> <c>optimizer.step()</c> when it returned true.
/// <see cref="GetState"/> is saved in every checkpoint and given back to <see cref="LoadState"/> on resume.
/// </summary>
public interface IPrecisionPolicy
{
    /// <summary>The precision forward passes compute in (validation runs under the same autocast); float32 by default.</summary>
    ComputePrecision ForwardPrecision => ComputePrecision.Fp32;

    /// <summary>Called with the model at the start of every <see cref="Trainer.Fit"/> (e.g. to cast weights); must be idempotent.</summary>
    void Prepare(nn.Module<Tensor, Tensor> model);

    /// <summary>Runs <paramref name="task"/> on the model and input (e.g. under autocast) and returns its loss and logits.</summary>
    (Tensor Loss, Tensor Logits) Forward(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target, ITrainingTask task);

    /// <summary>The tensor to call <c>backward()</c> on (e.g. the loss times the loss scale).</summary>
    Tensor ScaleForBackward(Tensor loss);

    /// <summary>After backward and before the gradient hooks: divides the gradients by the loss scale, so hooks (clipping, all-reduce) see true gradients.</summary>
    void Unscale(IReadOnlyList<Parameter> parameters);

    /// <summary>After the gradient hooks: false skips this optimiser step (e.g. gradients overflowed); the place to update a dynamic loss scale.</summary>
    bool ShouldStep(IReadOnlyList<Parameter> parameters);

    /// <summary>The policy's state (e.g. the loss scale), saved in checkpoints; empty when it has none.</summary>
    IReadOnlyDictionary<string, double> GetState();

    /// <summary>Restores <see cref="GetState"/>'s values from a checkpoint (not called for checkpoints written without them).</summary>
    void LoadState(IReadOnlyDictionary<string, double> state);
}
