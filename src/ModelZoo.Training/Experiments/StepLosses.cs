namespace ModelZoo.Training.Experiments;

/// <summary>Records every optimiser step's loss from the loop's step-end event (the trainer reads it at the progress interval: 1 here).</summary>
internal sealed class StepLosses : ITrainingCallback
{
    public List<double> Losses { get; } = [];

    public void OnTrainingStart(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        trainer.ProgressInterval = 1;
    }

    public void OnStepEnd(Trainer trainer, StepEnd step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Loss is double loss) Losses.Add(loss);
    }
}
