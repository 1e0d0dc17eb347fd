namespace ModelZoo.Training;

/// <summary>
/// The learning rate as a pure function of the global step, so a resumed run continues the exact
/// curve from the step stored in its checkpoint (the scheduler state is the step count).
/// </summary>
public sealed class LearningRateSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule for a run of <paramref name="stepsPerEpoch"/> x <see cref="TrainingOptions.Epochs"/> steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepsPerEpoch"/> is not positive.</exception>
    public LearningRateSchedule(TrainingOptions options, long stepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        Options = options;
        StepsPerEpoch = stepsPerEpoch;
        TotalSteps = stepsPerEpoch * options.Epochs;
        WarmupSteps = options.Schedule == ScheduleKind.OneCycle ? 0 : (long)Math.Round(options.WarmupEpochs * stepsPerEpoch);
    }

    /// <summary>The options the curve is built from.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Optimiser steps per epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>Steps in the whole run.</summary>
    public long TotalSteps { get; }

    /// <summary>Steps of linear warm-up.</summary>
    public long WarmupSteps { get; }

    /// <summary>
    /// The learning rate used for step <paramref name="step"/> (0-based). Warm-up: base x (step + 1) / warm-up steps.
    /// Step: base x gamma^floor(epoch / StepEpochs). Cosine: base x (1 + cos(pi t)) / 2 with t the fraction of
    /// post-warm-up steps done. One-cycle: base/25 rising linearly to base over the first 30% of steps, then
    /// cosine down to base/1e4 (PyTorch's OneCycleLR defaults, without momentum cycling).
    /// </summary>
    public double At(long step)
    {
        double lr = Options.LearningRate;
        if (step < 0) step = 0;
        if (step < WarmupSteps) return lr * (step + 1) / WarmupSteps;
        switch (Options.Schedule)
        {
            case ScheduleKind.Constant:
                return lr;
            case ScheduleKind.Step:
                return lr * Math.Pow(Options.StepGamma, Math.Floor((double)(step / StepsPerEpoch) / Options.StepEpochs));
            case ScheduleKind.Cosine:
            {
                long span = Math.Max(1, TotalSteps - WarmupSteps);
                double t = Math.Min(1.0, (double)(step - WarmupSteps) / span);
                return lr * 0.5 * (1 + Math.Cos(Math.PI * t));
            }
            case ScheduleKind.OneCycle:
            {
                double initial = lr / 25, final = initial / 1e4;
                long up = Math.Max(1, (long)Math.Round(0.3 * TotalSteps) - 1);
                if (step <= up) return initial + (lr - initial) * step / up;
                long down = Math.Max(1, TotalSteps - 1 - up);
                double t = Math.Min(1.0, (double)(step - up) / down);
                return final + (lr - final) * 0.5 * (1 + Math.Cos(Math.PI * t));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(step), $"unknown schedule {Options.Schedule}");
        }
    }
}
