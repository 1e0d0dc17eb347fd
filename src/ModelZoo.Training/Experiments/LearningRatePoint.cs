namespace ModelZoo.Training.Experiments;

/// <summary>One step of a learning-rate sweep.</summary>
/// <param name="Step">0-based step.</param>
/// <param name="LearningRate">The rate of the step.</param>
/// <param name="Loss">The batch's training loss (before the step).</param>
/// <param name="SmoothedLoss">The debiased running average of the loss.</param>
public sealed record LearningRatePoint(int Step, double LearningRate, double Loss, double SmoothedLoss);
