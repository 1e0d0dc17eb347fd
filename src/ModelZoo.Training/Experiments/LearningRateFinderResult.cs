namespace ModelZoo.Training.Experiments;

/// <summary>The outcome of a learning-rate range test.</summary>
/// <param name="Points">Every step of the sweep, in increasing learning rate.</param>
/// <param name="SuggestedLearningRate">The rate at the steepest descent of the loss (per unit of log rate, <see cref="LearningRateFinder.Suggest"/>), or null when the sweep was too short to tell.</param>
/// <param name="Diverged">Whether the sweep stopped early because the loss diverged (or became non-finite).</param>
/// <param name="MinimumLossLearningRate">The rate at the lowest loss (centred moving average).</param>
public sealed record LearningRateFinderResult(
    IReadOnlyList<LearningRatePoint> Points,
    double? SuggestedLearningRate,
    bool Diverged,
    double? MinimumLossLearningRate);
