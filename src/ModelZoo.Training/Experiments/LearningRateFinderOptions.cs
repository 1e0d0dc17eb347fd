namespace ModelZoo.Training.Experiments;

/// <summary>Options of <see cref="LearningRateFinder"/> (defaults: fastai's <c>lr_find</c>).</summary>
public sealed record LearningRateFinderOptions
{
    /// <summary>First learning rate of the sweep.</summary>
    public double StartLearningRate { get; init; } = 1e-7;

    /// <summary>Last learning rate of the sweep.</summary>
    public double EndLearningRate { get; init; } = 10;

    /// <summary>Steps of the sweep (the rate grows by the same factor every step).</summary>
    public int Steps { get; init; } = 100;

    /// <summary>
    /// Weight of the running average of the loss that divergence is judged on, debiased as in Adam (fastai uses 0.98;
    /// over a 100-step sweep that lags by about 50 steps, so the default here is 0.9).
    /// </summary>
    public double Smoothing { get; init; } = 0.9;

    /// <summary>Stop when the smoothed loss exceeds this multiple of its lowest value (fastai: 4).</summary>
    public double DivergenceFactor { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> for a range that is not increasing and positive, or too few steps.</summary>
    public void EnsureValid()
    {
        if (!(StartLearningRate > 0) || !double.IsFinite(StartLearningRate)) throw new ArgumentException("the start learning rate must be positive");
        if (!(EndLearningRate > StartLearningRate) || !double.IsFinite(EndLearningRate)) throw new ArgumentException("the end learning rate must be above the start learning rate");
        if (Steps < 5) throw new ArgumentException("the sweep needs at least 5 steps");
        if (!(Smoothing is >= 0 and < 1)) throw new ArgumentException("the smoothing must be in [0, 1)");
        if (!(DivergenceFactor > 1)) throw new ArgumentException("the divergence factor must be above 1");
    }

    /// <summary>The learning rate of step <paramref name="step"/> (0-based): start x (end / start)^(step / (steps - 1)).</summary>
    public double RateAt(int step) => StartLearningRate * Math.Pow(EndLearningRate / StartLearningRate, (double)step / (Steps - 1));
}
