namespace ModelZoo.Training;

/// <summary>Learning-rate schedules; see <see cref="LearningRateSchedule"/> for the exact curves.</summary>
public enum ScheduleKind
{
    /// <summary>The base rate throughout (after warm-up).</summary>
    Constant,

    /// <summary>Multiply by <see cref="TrainingOptions.StepGamma"/> every <see cref="TrainingOptions.StepEpochs"/> epochs.</summary>
    Step,

    /// <summary>Cosine annealing from the base rate to zero over the run (after warm-up).</summary>
    Cosine,

    /// <summary>One-cycle: linear ramp from base/25 to the base rate over the first 30% of steps, then cosine down to base/1e4.</summary>
    OneCycle,
}
