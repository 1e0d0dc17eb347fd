namespace ModelZoo.Training;

/// <summary>Checks of a run's shape that do not stop it but usually mean a mistake; <c>modelzoo train</c> prints them before training.</summary>
public static class TrainingWarnings
{
    /// <summary>Fewer optimiser steps per epoch than this draws a warning.</summary>
    public const int MinStepsPerEpoch = 10;

    /// <summary>
    /// The warnings for a run of <paramref name="trainBatches"/> batches per epoch with <paramref name="options"/>
    /// (optimiser steps per epoch: batches / <see cref="TrainingOptions.AccumulationSteps"/>, rounded up) and a validation
    /// split of <paramref name="validationSamples"/> images (null: none) for <paramref name="classes"/> classes.
    /// </summary>
    public static IReadOnlyList<string> For(TrainingOptions options, int trainBatches, int? validationSamples, int classes)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warnings = new List<string>();
        int steps = (trainBatches + options.AccumulationSteps - 1) / options.AccumulationSteps;
        if (steps < MinStepsPerEpoch)
            warnings.Add($"an epoch is only {steps} optimiser step{(steps == 1 ? "" : "s")} (batch {options.BatchSize}" +
                (options.AccumulationSteps > 1 ? $" x {options.AccumulationSteps} accumulated" : "") +
                $", {trainBatches} batches): the schedule and warm-up have little to work with; consider a smaller --batch-size");
        if (validationSamples is int v && v < classes)
            warnings.Add($"the validation split has {v} images for {classes} classes: some classes cannot be validated at all; use a larger --val-split or a val/ folder");
        return warnings;
    }
}
