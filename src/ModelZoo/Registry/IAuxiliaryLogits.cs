using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>
/// Implemented by models with auxiliary classifiers (GoogLeNet). The trainer adds
/// <see cref="AuxiliaryLossWeight"/> x the loss of each auxiliary output during training.
/// </summary>
public interface IAuxiliaryLogits
{
    /// <summary>True when the auxiliary heads exist.</summary>
    bool HasAuxiliaryLogits { get; }

    /// <summary>Weight of each auxiliary loss (0.3 in the paper).</summary>
    double AuxiliaryLossWeight { get; }

    /// <summary>Forward returning the main logits and, in training mode, the auxiliary logits.</summary>
    (Tensor Logits, Tensor[] Auxiliary) ForwardWithAuxiliary(Tensor input);
}
