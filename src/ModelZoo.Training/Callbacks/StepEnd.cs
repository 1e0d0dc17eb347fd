namespace ModelZoo.Training;

/// <summary>What <see cref="ITrainingCallback.OnStepEnd"/> reports after each optimiser step.</summary>
/// <param name="Epoch">Epoch, 1-based.</param>
/// <param name="Step">Global optimiser steps taken, this one included.</param>
/// <param name="Batch">Batches of the epoch done.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="LearningRate">The learning rate this step used.</param>
/// <param name="Loss">
/// The step's mean loss (over its micro-batches with accumulation), read from the device only at the progress interval
/// (<see cref="Trainer.ProgressInterval"/>) and at the epoch's end; null at the steps between.
/// </param>
public sealed record StepEnd(int Epoch, long Step, int Batch, int Batches, double LearningRate, double? Loss);
