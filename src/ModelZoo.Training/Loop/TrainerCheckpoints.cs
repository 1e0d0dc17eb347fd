using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// A <see cref="Trainer"/>'s state to and from a checkpoint file: weights, optimiser, RNG, step and epoch, the position
/// inside an interrupted epoch, the callbacks' and the precision policy's state, and the model EMA.
/// </summary>
internal static class TrainerCheckpoints
{
    /// <summary>
    /// Restores everything but the counters (the caller sets them from the returned header) from a checkpoint file or
    /// run folder; the file is validated in full and the weights checked against the model before any weight changes.
    /// </summary>
    public static (CheckpointHeader Header, string Path) Restore(Trainer trainer, string checkpoint)
    {
        string path = Checkpoint.ResolvePath(checkpoint);
        var options = trainer.Options;
        var header = CheckpointFile.ReadHeader(path);
        if (header.Training is { } t && t.Optimizer != options.Optimizer)
            throw new CheckpointException(path, $"was trained with optimizer {t.Optimizer}, not {options.Optimizer}; resume with the same --optimizer");
        var staged = CheckpointFile.ReadStateDict(path, header);
        Tensor? rng = null;
        Dictionary<string, Tensor>? ema = null;
        try
        {
            if (trainer.Ema is { } modelEma)
            {
                if (header.Sections.All(s => s.Name != CheckpointFile.EmaSection))
                    throw new CheckpointException(path, "has no EMA weights to resume the model EMA from (it was trained without --ema)");
                ema = CheckpointFile.ReadStateDict(path, header, CheckpointFile.EmaSection);
                try { modelEma.Load(ema); }
                catch (ArgumentException e) { throw new CheckpointException(path, e.Message, e); }
            }
            rng = CheckpointFile.ReadRng(path, header);
            CheckpointFile.LoadInto(path, trainer.Model, staged);
        }
        finally
        {
            foreach (var s in staged.Values) s.Dispose();
            if (ema is not null) foreach (var s in ema.Values) s.Dispose();
        }
        // TorchSharp reads the state into the existing tensors, which must be contiguous for it.
        OptimizerStateLayout.ToContiguous(trainer.Optimizer);
        CheckpointFile.LoadOptimizer(path, header, trainer.Optimizer);
        if (options.ChannelsLast) OptimizerStateLayout.ToChannelsLast(trainer.Optimizer);
        if (rng is not null)
        {
            torch.random.set_rng_state(rng);
            rng.Dispose();
        }
        if (header.PrecisionState is { } precisionState) trainer.Precision.LoadState(precisionState);
        return (header, path);
    }

    /// <summary>Writes the trainer's state to <paramref name="path"/>; a parameter that is not finite writes nothing.</summary>
    /// <exception cref="NonFiniteLossException">A parameter is not finite.</exception>
    public static void Write(Trainer trainer, string path, RunState state, IEnumerable<IStatefulCallback> callbacks)
    {
        using (no_grad())
        {
            foreach (var p in trainer.Model.parameters())
                if (!torch.isfinite(p).all().item<bool>())
                    throw new NonFiniteLossException(trainer.EpochsCompleted + 1, trainer.Step, double.NaN);
        }
        var options = trainer.Options;
        bool partial = state.BatchesDone > 0;
        var header = CheckpointHeader.For(trainer.Descriptor) with
        {
            Epoch = trainer.EpochsCompleted,
            Step = trainer.Step,
            BatchInEpoch = state.BatchesDone,
            PartialLossSum = partial ? state.LossSum : 0,
            PartialCorrect = partial ? state.Correct : 0,
            PartialSamples = partial ? state.Samples : 0,
            PartialSeconds = partial ? state.EpochWatch.Elapsed.TotalSeconds + state.CarriedSeconds : 0,
            Callbacks = callbacks.ToDictionary(c => c.StateKey, c => c.SaveState(), StringComparer.Ordinal),
            PrecisionState = new Dictionary<string, double>(trainer.Precision.GetState(), StringComparer.Ordinal),
            Training = options,
            Scheduler = options.Schedule.ToString(),
            Seed = options.Seed,
            Device = options.Device,
        };
        using var rng = torch.random.get_rng_state();
        CheckpointFile.Write(path, header, trainer.Model, trainer.Optimizer, rng, trainer.Ema?.State);
    }

    /// <summary>
    /// The callbacks' states of a checkpoint; one written before callbacks kept their own state has the best score and
    /// the early-stopping counter in header fields, read here into the same states.
    /// </summary>
    public static Dictionary<string, JsonObject> CallbackStates(CheckpointHeader header)
    {
        if (header.Callbacks is { } states) return new Dictionary<string, JsonObject>(states, StringComparer.Ordinal);
        return new Dictionary<string, JsonObject>(StringComparer.Ordinal)
        {
            ["checkpoint"] = new() { ["bestScore"] = header.BestScore, ["bestEpoch"] = header.BestEpoch, ["bestValidationAccuracy"] = header.BestValidationAccuracy },
            ["earlyStopping"] = new() { ["bestScore"] = header.BestScore, ["epochsWithoutImprovement"] = header.EpochsWithoutImprovement },
        };
    }
}
