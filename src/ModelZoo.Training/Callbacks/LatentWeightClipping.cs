using ModelZoo.Blocks.Binary;

namespace ModelZoo.Training;

/// <summary>
/// The binarised networks' latent-weight clipping (Courbariaux et al. 2016; larq's latent weight clip) as an
/// after-step event: every latent weight goes back into [-1, 1] right after each optimiser step, where the
/// straight-through gradient is alive. The trainer adds it when the model has binary layers.
/// </summary>
public sealed class LatentWeightClipping : ITrainingCallback
{
    /// <inheritdoc />
    public void OnAfterOptimizerStep(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        BinaryLayers.ClipLatentWeights(trainer.Model);
    }
}
