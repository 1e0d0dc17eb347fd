using System.Diagnostics;
using ModelZoo.Data;
using ModelZoo.Evaluation;

namespace ModelZoo.Training;

/// <summary>
/// The end of a <see cref="Trainer"/>'s epoch: validation of the model (and its EMA) through the one evaluation loop,
/// the epoch's sums over every process, <see cref="Trainer.CallbackMetrics"/>, and the epoch-completed stage of the
/// callbacks (the checkpoint callback last, so it saves what the others decided).
/// </summary>
internal static class EpochEnd
{
    /// <summary>Closes epoch <paramref name="epoch"/> and returns its metrics (resident memory read after the checkpoints).</summary>
    public static EpochMetrics Run(Trainer trainer, RunState run, Dictionary<string, double> metrics, int epoch, IBatchSource? validation,
        IReadOnlyList<ITrainingCallback> callbacks)
    {
        EvaluationReport? val = null;
        EvaluationReport? valEma = null;
        if (validation is not null)
        {
            var progress = callbacks.Count == 0 ? null : new Action<TrainingProgress>(p =>
            {
                var report = p with { Epoch = epoch, Epochs = trainer.Options.Epochs };
                foreach (var c in callbacks) c.OnProgress(trainer, report);
            });
            val = Validate(trainer, validation, progress);
            foreach (var c in callbacks) c.OnValidationEnd(trainer, val, ema: false);
            if (trainer.Ema is { } ema)
            {
                // The average is swapped into the model for its evaluation and swapped back bit for bit.
                ema.SwapInto(trainer.Model);
                try { valEma = Validate(trainer, validation, null); }
                finally { ema.SwapInto(trainer.Model); }
                foreach (var c in callbacks) c.OnValidationEnd(trainer, valEma, ema: true);
            }
        }
        trainer.Model.train();
        double seconds = run.EpochWatch.Elapsed.TotalSeconds + run.CarriedSeconds;
        // Epoch sums of every process: [loss x samples, correct, samples, samples trained in this call].
        double[] sums = [run.LossSum, run.Correct, run.Samples, run.SamplesThisCall];
        trainer.ProcessGroup.AllReduceSum(sums);
        double trainLoss = sums[2] == 0 ? 0 : sums[0] / sums[2];
        double trainAccuracy = sums[2] == 0 ? 0 : sums[1] / sums[2];
        // Images/s of the whole run: every process's samples over this process's training time.
        double imagesPerSecond = run.TrainSeconds > 0 ? sums[3] / run.TrainSeconds : 0;
        trainer.EpochsCompleted = epoch;
        run.ResetEpoch();

        metrics.Clear();
        metrics["train_loss"] = trainLoss;
        metrics["train_acc"] = trainAccuracy;
        if (val is not null)
        {
            metrics["val_loss"] = val.Loss;
            metrics["val_acc"] = val.Top1;
            metrics["val_top5"] = val.TopK;
        }
        if (valEma is not null)
        {
            metrics["val_loss_ema"] = valEma.Loss;
            metrics["val_acc_ema"] = valEma.Top1;
        }
        // Every callback judges the epoch and updates its state; then the checkpoints are written with all of it.
        foreach (var c in callbacks.Where(c => c is not CheckpointCallback)) c.OnEpochCompleted(trainer);
        foreach (var c in callbacks.OfType<CheckpointCallback>()) c.OnEpochCompleted(trainer);

        return new EpochMetrics(epoch, trainLoss, trainAccuracy, val?.Loss, val?.Top1, val?.TopK, trainer.LearningRate, seconds, imagesPerSecond,
            trainer.Step, ResidentBytes())
        {
            ValidationLossEma = valEma?.Loss,
            ValidationAccuracyEma = valEma?.Top1,
        };
    }

    private static EvaluationReport Validate(Trainer trainer, IBatchSource validation, Action<TrainingProgress>? progress) =>
        Evaluator.Evaluate([trainer.Model], validation, null, new EvaluationOptions
        {
            Details = false, TopK = 5, Device = trainer.Device, Progress = progress, Precision = trainer.Precision.ForwardPrecision,
            ChannelsLast = trainer.Options.ChannelsLast,
        });

    private static long ResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }
}
