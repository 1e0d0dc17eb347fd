using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// What one training step computes: the forward pass and the loss. Chosen once when the trainer is built
/// (<see cref="ClassificationTask"/>, or <see cref="AuxiliaryHeadsTask"/> for models with auxiliary heads) and run
/// inside <see cref="IPrecisionPolicy.Forward"/>.
/// </summary>
public interface ITrainingTask
{
    /// <summary>Runs <paramref name="model"/> on <paramref name="input"/> and returns the loss to back-propagate and the main logits (for accuracy).</summary>
    (Tensor Loss, Tensor Logits) Compute(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target);
}
