using System.Globalization;
using System.Text.Json;
using ModelZoo.Data;
using ModelZoo.Inspection;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The training library's defaults that depend on the data and the machine, applied to a composed spec by
/// <see cref="TrainingSession"/> (the same for <c>modelzoo train</c> and library users). Every value a user chose (in a
/// recipe file, a resumed run, code or on the command line) wins; the policy only fills in what the built-in recipe left
/// to it, and says what it chose and why in <see cref="TrainingPlan.Notes"/>:
/// <list type="bullet">
/// <item><b>threads</b>: the number of cores;</item>
/// <item><b>memory format</b>: channels-last where it measured faster (<see cref="ModelZoo.ChannelsLast.PreferredFor"/>),
/// re-chosen when a layer above the one that set the format changes the precision;</item>
/// <item><b>batch size</b> (a new run): the recipe's, made smaller (a power of two) when its memory estimate would not fit
/// a safe share of this machine's memory (<see cref="MemoryBudget"/>) or an epoch would be fewer than
/// <see cref="TargetStepsPerEpoch"/> optimiser steps;</item>
/// <item><b>learning rate</b> (a new run): scaled linearly with the effective batch (Goyal et al. 2017). A rate from the
/// built-in recipe or a recipe file is read at the effective batch of the layer that set it (so a file giving both keeps
/// its rate, and a recipe's rate follows any change of batch or accumulation); a rate typed on the command line or given
/// in code is never scaled.</item>
/// </list>
/// </summary>
public static class TrainingPolicy
{
    /// <summary>The fewest optimiser steps per epoch a chosen batch size aims for (small data sets get a smaller batch).</summary>
    public const int TargetStepsPerEpoch = 16;

    /// <summary>
    /// What a training step really holds beyond <see cref="MemoryEstimate.ActivationBytesPerSample"/> (every layer's
    /// output once): the tensors autograd saves for backward, the gradients of the activations during backward and the
    /// allocator's slack. Measured on resnet18 and deepcnn at 224 and 28 pixels (docs/training.md).
    /// </summary>
    public const double ActivationOverhead = 3.0;

    /// <summary>
    /// The memory a training run may plan for: a quarter of the machine's memory, and at most half of what is available
    /// now (<c>/proc/meminfo</c>; the GC's view elsewhere). A 16 GB laptop gets 4 GB.
    /// </summary>
    public static long MemoryBudget()
    {
        var (total, available) = MachineMemory();
        return Math.Max(256L << 20, Math.Min(total / 4, available / 2));
    }

    /// <summary>Applies the policy to <paramref name="composed"/> for <paramref name="data"/>.</summary>
    /// <param name="composed">The composed spec.</param>
    /// <param name="data">What the data holds.</param>
    /// <param name="resumed">Whether the run is resumed (batch size and learning rate are then the recorded ones).</param>
    /// <param name="scaleLearningRate">Apply the linear scaling rule (<c>--no-lr-scale</c> turns it off).</param>
    /// <param name="worldSize">Processes training together (the effective batch counts them all).</param>
    /// <param name="memoryBudget">Bytes a step may take; null: <see cref="MemoryBudget"/>.</param>
    /// <returns>The spec as it will run, and one note per choice the policy made.</returns>
    public static (ComposedRunSpec Spec, IReadOnlyList<string> Notes) Apply(ComposedRunSpec composed, DataFacts data, bool resumed,
        bool scaleLearningRate = true, int worldSize = 1, long? memoryBudget = null)
    {
        ArgumentNullException.ThrowIfNull(composed);
        ArgumentNullException.ThrowIfNull(data);
        var notes = new List<string>();
        var spec = composed.Spec;
        var t = spec.Training;

        if (!composed.ChosenByUser("training.threads")) t = t with { Threads = Environment.ProcessorCount };

        // The memory format follows the precision unless the format was set at least as high up as the precision.
        if (!composed.ChosenByUser("training.channelsLast") || composed.LevelOf("training.channelsLast") < composed.LevelOf("training.precision"))
            t = t with { ChannelsLast = ChannelsLast.PreferredFor(t.Precision, DeviceSelector.Resolve(t.Device).type) };

        if (!resumed && !composed.ChosenByUser("training.batchSize") && spec.Model is string model && Zoo.TryResolve(model, out var zooName))
        {
            var (batch, why) = ChooseBatch(zooName, spec, t, data, worldSize, memoryBudget ?? MemoryBudget());
            if (batch != t.BatchSize)
            {
                notes.Add(why);
                t = t with { BatchSize = batch };
            }
        }

        if (!resumed && scaleLearningRate)
        {
            long effective = (long)t.BatchSize * t.AccumulationSteps * worldSize;
            var scaled = t;
            string? note = null;
            foreach (var (path, rate, apply) in new (string, double?, Func<TrainingOptions, double, TrainingOptions>)[]
            {
                ("training.learningRate", t.LearningRate, (o, v) => o with { LearningRate = v }),
                ("training.backboneLearningRate", t.BackboneLearningRate, (o, v) => o with { BackboneLearningRate = v }),
            })
            {
                if (rate is not double r) continue;
                // A rate typed on the command line or given in code is the user's, whatever the batch.
                if (composed.SetBy(path).Kind is RunSpecLayerKind.CommandLine or RunSpecLayerKind.Code) continue;
                int level = composed.LevelOf(path);
                long reference = ValueAt(composed, "training.batchSize", level) * ValueAt(composed, "training.accumulationSteps", level);
                if (reference == effective || reference <= 0) continue;
                double value = r * effective / reference;
                scaled = apply(scaled, value);
                if (path == "training.learningRate")
                    note = string.Create(CultureInfo.InvariantCulture,
                        $"lr scaled linearly to {value:G4} for effective batch {effective} (recipe: lr {r:G4} at batch {reference}); give --lr to set it, --no-lr-scale to keep the recipe's");
            }
            t = scaled;
            if (note is not null) notes.Add(note);
        }

        var result = composed.WithSpec(spec with { Training = t });
        result.EnsureValid();
        return (result, notes);
    }

    /// <summary>
    /// The batch size for <paramref name="model"/> on <paramref name="data"/>: the recipe's, or the largest power of two
    /// below it whose estimated step memory fits <paramref name="budget"/> and that gives an epoch at least
    /// <see cref="TargetStepsPerEpoch"/> steps (never below 1), with the reason.
    /// </summary>
    public static (int Batch, string Why) ChooseBatch(string model, RunSpec spec, TrainingOptions training, DataFacts data, int worldSize, long budget)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(data);
        int recipe = training.BatchSize;
        var estimate = Estimate(model, spec, training, data);
        long fixedBytes = estimate.ParameterBytes + estimate.ComputeWeightBytes + estimate.TrainingStateBytes;
        double perSample = estimate.ActivationBytesPerSample * ActivationOverhead;
        long memoryFit = perSample <= 0 ? recipe : (long)Math.Floor((budget - fixedBytes) / perSample);
        int samplesPerProcess = Math.Max(1, data.TrainSamples / Math.Max(1, worldSize));
        long stepsFit = Math.Max(1, samplesPerProcess / ((long)TargetStepsPerEpoch * training.AccumulationSteps));
        long limit = Math.Min(recipe, Math.Min(memoryFit, stepsFit));
        if (limit >= recipe) return (recipe, "");
        int batch = (int)Math.Max(1, PowerOfTwoAtMost(Math.Max(1, limit)));
        long need = fixedBytes + (long)(perSample * batch);
        string reason = stepsFit < Math.Min(recipe, memoryFit)
            ? $"{data.TrainSamples} training images would make {Steps(samplesPerProcess, recipe, training.AccumulationSteps)} optimiser steps per epoch at the recipe's batch; {Steps(samplesPerProcess, batch, training.AccumulationSteps)} at {batch}"
            : $"the recipe's batch would need about {Gb(fixedBytes + (long)(perSample * recipe))} per step, more than this run's budget of {Gb(budget)} (a quarter of this machine's memory)";
        return (batch, $"batch size {batch} (recipe {recipe}): {reason}; estimated step memory {Gb(need)}; give --batch-size to set it");
    }

    private static MemoryEstimate Estimate(string model, RunSpec spec, TrainingOptions training, DataFacts data)
    {
        using var scope = NewDisposeScope();
        using var net = Zoo.Create(model, spec.ModelOptions with { NumClasses = data.ClassNames.Count, InChannels = data.Channels, Seed = 0 });
        var summary = ModelInspector.Summarize(net, [data.Channels, data.ImageSize, data.ImageSize]);
        return ModelInspector.EstimateMemory(summary, training.Precision);
    }

    private static long ValueAt(ComposedRunSpec composed, string path, int level) =>
        composed.ValueAt(path, level) is { } node && node.GetValueKind() == JsonValueKind.Number ? node.GetValue<long>() : 0;

    private static long PowerOfTwoAtMost(long n)
    {
        long p = 1;
        while (p * 2 <= n) p *= 2;
        return p;
    }

    private static long Steps(int samples, int batch, int accumulation) => (samples + (long)batch * accumulation - 1) / ((long)batch * accumulation);

    private static string Gb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GB");

    private static (long Total, long Available) MachineMemory()
    {
        try
        {
            long total = 0, available = 0;
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kb(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kb(line);
            }
            if (total > 0 && available > 0) return (total, available);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        long gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (gc, gc);
    }

    private static long Kb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
