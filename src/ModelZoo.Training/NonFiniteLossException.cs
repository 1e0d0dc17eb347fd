namespace ModelZoo.Training;

/// <summary>
/// The loss became NaN or infinite. Detected where the running loss sum is read from the device (every
/// <see cref="Trainer.ProgressInterval"/> steps and at the epoch's end), before any checkpoint is written from
/// the model; <c>last</c> and <c>best</c> keep the previous good model.
/// </summary>
public sealed class NonFiniteLossException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteLossException(int epoch, long step, double loss)
        : base($"the loss became {loss} at epoch {epoch}, step {step}; training stopped and no checkpoint was written from this model. Try a lower learning rate (--lr) or a warm-up (--warmup-epochs).")
    {
        Epoch = epoch;
        Step = step;
        Loss = loss;
    }

    /// <summary>Epoch (1-based) in which it happened.</summary>
    public int Epoch { get; }

    /// <summary>Global step at which it was detected (the bad step is at most <see cref="Trainer.ProgressInterval"/> steps earlier).</summary>
    public long Step { get; }

    /// <summary>The non-finite value read (the running loss sum, or NaN for a non-finite weight).</summary>
    public double Loss { get; }
}
