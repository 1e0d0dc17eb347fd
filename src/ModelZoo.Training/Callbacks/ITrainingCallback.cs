namespace ModelZoo.Training;

/// <summary>
/// The one observer of a run (Lightning's <c>Callback</c>, fastai's events): the loop's own run-folder work and
/// policies are callbacks too (<see cref="CheckpointCallback"/>, <see cref="EarlyStopping"/>,
/// <see cref="MetricsJsonlWriter"/>, <see cref="TensorBoardCallback"/>, <see cref="LatentWeightClipping"/>), and so are
/// the CLI's progress display and curves.png. Called on the training thread, in order; every member has an empty
/// default. A callback that keeps state across a resume implements <see cref="IStatefulCallback"/>. The order of one
/// optimiser step is written once, in <see cref="Trainer"/>: forward and backward of each micro-batch, unscale,
/// gradient hooks (all-reduce, clipping), <see cref="OnBeforeOptimizerStep"/>, the optimiser step,
/// <see cref="OnAfterOptimizerStep"/>, the EMA update, the next step's learning rate, <see cref="OnStepEnd"/>.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch of this <see cref="Trainer.Fit"/> call (after a resumed run's callback states are restored).</summary>
    void OnTrainingStart(Trainer trainer) { }

    /// <summary>With the step's gradients final (unscaled, all-reduced, clipped), before the optimiser step.</summary>
    void OnBeforeOptimizerStep(Trainer trainer) { }

    /// <summary>Right after the optimiser step (<see cref="Trainer.Step"/> counts it), before the EMA update and the next learning rate.</summary>
    void OnAfterOptimizerStep(Trainer trainer) { }

    /// <summary>After every optimiser step, with its loss when it was read (at the progress interval).</summary>
    void OnStepEnd(Trainer trainer, StepEnd step) { }

    /// <summary>
    /// Every <see cref="Trainer.ProgressInterval"/> training steps and at the epoch's last step (phase "train"),
    /// and every 10 validation batches (phase "val"). The loss and accuracy are this process's running means.
    /// </summary>
    void OnProgress(Trainer trainer, TrainingProgress progress) { }

    /// <summary>After each validation of the model (<paramref name="ema"/> false) and of its EMA (true).</summary>
    void OnValidationEnd(Trainer trainer, Evaluation.EvaluationReport report, bool ema) { }

    /// <summary>
    /// After each epoch and its validation, with <see cref="Trainer.CallbackMetrics"/> set: where scores are judged and
    /// state changes; the checkpoints are written after every callback's (see <see cref="CheckpointCallback"/>) and
    /// before the epoch's metrics are taken (resident memory is read after this stage).
    /// </summary>
    void OnEpochCompleted(Trainer trainer) { }

    /// <summary>After <see cref="OnEpochCompleted"/> of every callback, with the epoch's metrics.</summary>
    void OnEpochEnd(Trainer trainer, EpochMetrics metrics) { }

    /// <summary>When the run ends, however it ends (<paramref name="status"/> is null after an exception).</summary>
    void OnTrainingEnd(Trainer trainer, TrainingStatus? status) { }
}
