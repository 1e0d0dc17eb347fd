namespace ModelZoo.Training;

/// <summary>
/// The learning rate as a function of the global optimiser step: the trainer's schedule seam (<see cref="Trainer.Schedule"/>).
/// The trainer asks it for step <c>s + 1</c>'s rate right after step <c>s</c> (where timm calls
/// <c>scheduler.step_update(num_updates)</c>) and for the first step's at the start of <see cref="Trainer.Fit"/>, and
/// sets it on every parameter group (times the group's scale). A function of the step, so a resumed run continues the
/// curve exactly. <see cref="LearningRateSchedule"/> is the built-in one; the learning-rate range test brings its own.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based).</summary>
    double At(long step);
}
