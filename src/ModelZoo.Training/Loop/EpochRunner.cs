using ModelZoo.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Trains one epoch of a <see cref="Trainer"/>: its micro-batches, each in its own dispose scope, and its optimiser
/// steps in the one order of the loop (<see cref="OptimizerStep"/>). Loss and accuracy sums stay on the device and are
/// read to the host at the progress interval and at the epoch's end.
/// </summary>
internal sealed class EpochRunner(Trainer trainer, RunState state, IReadOnlyList<ITrainingCallback> callbacks)
{
    private Tensor? _stepRng;

    /// <summary>Runs epoch <paramref name="epoch"/>; returns true when it completed, false when cancelled (the position is kept for <c>last</c>).</summary>
    public bool Run(IBatchSource train, int epoch, int batchesPerEpoch, CancellationToken ct)
    {
        var options = trainer.Options;
        var device = trainer.Device;
        trainer.Model.train();
        int skip = state.SkipBatches;
        state.SkipBatches = 0;
        int batchIndex = 0;
        state.EpochWatch.Restart();
        using var lossSum = torch.tensor(state.LossSum, dtype: ScalarType.Float64, device: device);
        using var correct = torch.tensor(state.Correct, dtype: ScalarType.Int64, device: device);
        // One optimiser step's sums (K micro-batches with accumulation), folded into the epoch's at the step, so an
        // interruption between micro-batches leaves the epoch at the last step, as the resumed run will see it.
        using var stepLoss = torch.zeros(1, dtype: ScalarType.Float64, device: device);
        using var stepCorrect = torch.zeros(1, dtype: ScalarType.Int64, device: device);
        int accumulation = options.AccumulationSteps;
        bool completed = true;
        try
        {
            // Several processes stop together, at the same step (StopAgreed), so the loader does not watch the token:
            // a rank leaving mid-batch on its own would leave the others waiting in the next all-reduce.
            foreach (var batch in train.GetEpoch(epoch - 1, trainer.ProcessGroup.WorldSize > 1 ? CancellationToken.None : ct))
            {
                if (batchIndex < skip)
                {
                    batch.Dispose();
                    batchIndex++;
                    state.BatchesDone = batchIndex;
                    continue;
                }
                if (batchIndex >= batchesPerEpoch)
                {
                    batch.Dispose();
                    break;
                }
                int groupStart = batchIndex / accumulation * accumulation;
                int groupSize = Math.Min(accumulation, batchesPerEpoch - groupStart);
                bool stepped = MicroBatch(batch, batchIndex - groupStart, groupSize, stepLoss, stepCorrect);
                // Throughput is measured on the wall clock of the training phase, so data loading counts.
                state.TrainSeconds = state.EpochWatch.Elapsed.TotalSeconds;
                batchIndex++;
                if (!stepped) continue;

                long stepSamples = state.StepSamples;
                long stepsDone = (batchIndex + accumulation - 1) / accumulation;
                bool report = stepsDone % trainer.ProgressInterval == 0 || batchIndex == batchesPerEpoch;
                // The step's own loss is read with the sums, at the progress interval only.
                double? loss = report ? stepLoss.item<double>() / Math.Max(1, stepSamples) : null;
                using (NewDisposeScope())
                {
                    lossSum.add_(stepLoss.squeeze());
                    correct.add_(stepCorrect.squeeze());
                    stepLoss.zero_();
                    stepCorrect.zero_();
                }
                state.Samples += stepSamples;
                state.SamplesThisCall += stepSamples;
                state.StepSamples = 0;
                state.BatchesDone = batchIndex;
                if (report) ReadSums(epoch, lossSum, correct);
                var end = new StepEnd(epoch, trainer.Step, batchIndex, batchesPerEpoch, trainer.LearningRate, loss);
                foreach (var c in callbacks) c.OnStepEnd(trainer, end);
                if (report)
                {
                    double elapsed = state.EpochWatch.Elapsed.TotalSeconds;
                    int done = batchIndex - skip;
                    var progress = new TrainingProgress("train", epoch, options.Epochs, batchIndex, batchesPerEpoch, trainer.Step,
                        state.LossSum / Math.Max(1, state.Samples), (double)state.Correct / Math.Max(1, state.Samples), trainer.LearningRate,
                        state.SamplesThisCall / Math.Max(1e-9, state.TrainSeconds),
                        TimeSpan.FromSeconds(done == 0 ? 0 : elapsed / done * (batchesPerEpoch - batchIndex)));
                    foreach (var c in callbacks) c.OnProgress(trainer, progress);
                }
                if (batchIndex >= batchesPerEpoch) break;
                if (trainer.StopAgreed(ct))
                {
                    completed = false;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            completed = false;
        }
        if (completed && ct.IsCancellationRequested && batchIndex < batchesPerEpoch) completed = false;
        state.StepSamples = 0;
        if (!completed && batchIndex > state.BatchesDone && _stepRng is not null)
        {
            // Interrupted inside an accumulation: the generator goes back to the start of the unfinished step, so the
            // checkpoint (at the last whole step) holds the state the resumed run must redo it from.
            torch.random.set_rng_state(_stepRng);
        }
        _stepRng?.Dispose();
        _stepRng = null;
        // The epoch's (or the interrupted epoch's) sums are read before anything is written from this model.
        ReadSums(epoch, lossSum, correct);
        if (completed) state.BatchesDone = 0;
        return completed;
    }

    private void ReadSums(int epoch, Tensor lossSum, Tensor correct)
    {
        if (state.ReadAtStep == trainer.Step) return;
        state.ReadAtStep = trainer.Step;
        trainer.HostReads++;
        state.LossSum = lossSum.item<double>();
        state.Correct = correct.item<long>();
        if (!double.IsFinite(state.LossSum)) throw new NonFiniteLossException(epoch, trainer.Step, state.LossSum);
    }

    /// <summary>
    /// Trains micro-batch <paramref name="micro"/> of an optimiser step of <paramref name="groupSize"/> micro-batches
    /// (1 without accumulation): forward, and backward of loss / groupSize; the last one takes the optimiser step.
    /// Returns true when it took the step.
    /// </summary>
    private bool MicroBatch(Batch batch, int micro, int groupSize, Tensor stepLoss, Tensor stepCorrect)
    {
        using var scope = NewDisposeScope();
        using (batch)
        {
            if (micro == 0)
            {
                if (groupSize > 1)
                {
                    _stepRng?.Dispose();
                    _stepRng = torch.random.get_rng_state().DetachFromDisposeScope();
                }
                ClearGradients();
            }

            var x = batch.Images.to(trainer.Device);
            if (trainer.Options.ChannelsLast) x = ChannelsLast.Convert(x);
            var y = batch.Labels.to(trainer.Device);
            var target = y;
            if (trainer.Mixing is { } mixing)
            {
                // Seeded by (run seed, optimiser step, micro-batch): a resumed run mixes exactly as the straight one.
                var mixed = mixing.Mix(x, y, trainer.Options.Seed, trainer.Step, micro);
                x = mixed.Images;
                target = mixed.Targets;
            }
            var (loss, logits) = trainer.Precision.Forward(trainer.Model, x, target, trainer.Task);
            var backwardLoss = groupSize == 1 ? loss : loss / groupSize;
            trainer.Precision.ScaleForBackward(backwardLoss).backward();

            int n = batch.Count;
            // float32 loss widened to float64, times n, summed in float64: the same sums as reading each loss to the host.
            stepLoss.add_(loss.detach().to_type(ScalarType.Float64).mul(n));
            stepCorrect.add_(logits.argmax(1).eq(y).sum());
            state.StepSamples += n;
            if (micro < groupSize - 1) return false;
            OptimizerStep();
            return true;
        }
    }

    /// <summary>
    /// The optimiser step, in the loop's one order: unscale the gradients; the gradient hooks (data-parallel all-reduce
    /// first, clipping last); <see cref="ITrainingCallback.OnBeforeOptimizerStep"/>; the optimiser's step unless the
    /// precision policy skips it; the step count; <see cref="ITrainingCallback.OnAfterOptimizerStep"/> (e.g. binary
    /// latent-weight clipping); the EMA update; the next step's learning rate from the schedule.
    /// </summary>
    private void OptimizerStep()
    {
        var parameters = trainer.TrainableParameters;
        trainer.Precision.Unscale(parameters);
        foreach (var hook in trainer.GradientHooks) hook.OnGradients(parameters, trainer.Step);
        foreach (var c in callbacks) c.OnBeforeOptimizerStep(trainer);
        if (trainer.Precision.ShouldStep(parameters)) trainer.Optimizer.step();
        trainer.LearningRate = trainer.CurrentRate;
        trainer.Step++;
        foreach (var c in callbacks) c.OnAfterOptimizerStep(trainer);
        trainer.Ema?.Update(trainer.Model, trainer.Step);
        trainer.ApplyLearningRate();
    }

    /// <summary>
    /// Zeroes the gradients before a step. Under channels-last they are dropped instead (PyTorch's
    /// <c>zero_grad(set_to_none=True)</c>), so backward creates them in the weights' NHWC layout rather than
    /// accumulating into NCHW-laid tensors; with the weights converted too this measured about 10 % faster for resnet18
    /// in bf16 (bench/PrecisionBench <c>clw</c>). A parameter that then gets no gradient is skipped by the optimiser,
    /// as in PyTorch.
    /// </summary>
    private void ClearGradients()
    {
        if (!trainer.Options.ChannelsLast)
        {
            trainer.Optimizer.zero_grad();
            return;
        }
        foreach (var p in trainer.TrainableParameters) p.grad = null;
    }
}
