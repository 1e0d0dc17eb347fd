namespace ModelZoo.Training;

/// <summary>
/// The loss became NaN or infinite. Training stops before the optimiser step that would have used the bad
/// gradients; <c>last</c> and <c>best</c> keep the previous good model.
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

    /// <summary>Global step (0-based) in which it happened.</summary>
    public long Step { get; }

    /// <summary>The loss value.</summary>
    public double Loss { get; }
}
