using System.Globalization;
using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Hub;
using ModelZoo.Inspection;
using ModelZoo.Models;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The training library's entry point (timm's <c>train.py</c> as a library: recipe, layering, policy, data, model, run
/// folder). <see cref="MakePlan"/> composes the run spec (built-in recipe &lt; the caller's layers, or the resumed run's
/// record &lt; the caller's layers), checks it once and applies <see cref="TrainingPolicy"/>; <see cref="Prepare"/>
/// then claims the run folder, opens the data (<see cref="IDataProvider"/>, <see cref="DataPipeline"/> by default),
/// builds the model (the recipe's initialisation, pretrained weights, the data's classes and channels), the
/// <see cref="Trainer"/> and restores a resumed run; <see cref="Run"/> trains. <c>modelzoo train</c> is this plus
/// rendering, so a library user who prepares the same spec gets the same run.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly FolderReplacement? _replacement;
    private readonly IDisposable? _badImagesWriter;
    private bool _disposed;

    private TrainingSession(TrainingPlan plan, TrainingData data, nn.Module<Tensor, Tensor> model, Trainer trainer, ModelSummary summary,
        FolderReplacement? replacement, bool replacesFolder, GradientAllReduce? allReduce, WeightsLoadResult? pretrained, IDisposable? badImagesWriter)
    {
        _badImagesWriter = badImagesWriter;
        Plan = plan;
        Data = data;
        Model = model;
        Trainer = trainer;
        Summary = summary;
        _replacement = replacement;
        ReplacesFolder = replacesFolder;
        AllReduce = allReduce;
        Pretrained = pretrained;
    }

    /// <summary>The plan the session was prepared from (spec, policy notes, data facts, run folder).</summary>
    public TrainingPlan Plan { get; }

    /// <summary>The opened data.</summary>
    public TrainingData Data { get; }

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The trainer; add callbacks (progress, plots) before <see cref="Run"/>.</summary>
    public Trainer Trainer { get; }

    /// <summary>Parameters and multiply-accumulates of the model at the data's input, taken before any resume.</summary>
    public ModelSummary Summary { get; }

    /// <summary>The run folder, or null when nothing is written.</summary>
    public string? RunDirectory => Plan.RunDirectory;

    /// <summary>True when an existing run folder is being replaced (it is kept aside until the first checkpoint).</summary>
    public bool ReplacesFolder { get; }

    /// <summary>The gradient all-reduce of a data-parallel run, or null with one process.</summary>
    public GradientAllReduce? AllReduce { get; }

    /// <summary>What loading <see cref="RunSpec.Pretrained"/> did, or null without pretrained weights.</summary>
    public WeightsLoadResult? Pretrained { get; }

    /// <summary>Warnings about the run's shape (few steps per epoch, a tiny validation split), for the start banner.</summary>
    public IReadOnlyList<string> Warnings => TrainingWarnings.For(Trainer.Options, Data.Train.BatchesPerEpoch, Data.Validation?.SamplesPerEpoch, Data.ClassNames.Count);

    /// <summary>
    /// Composes, checks and completes the run spec of <paramref name="request"/> without building or writing anything:
    /// what <c>--print-config</c> prints. The data is described (resolved, counted), not loaded into batches.
    /// </summary>
    /// <exception cref="RunSpecException">The spec is invalid (the message spells each option as its source did).</exception>
    /// <exception cref="UnknownModelException">The model is not in the zoo.</exception>
    /// <exception cref="CheckpointException">The run to resume cannot be read, or the caller names another model.</exception>
    public static TrainingPlan MakePlan(TrainingRequest request)
    {
        var (composed, resumed, runDirectory) = Compose(request);
        return Complete(request, composed, resumed, runDirectory);
    }

    /// <summary>Plans the run, claims its folder, opens the data and builds the model and trainer (restoring a resumed run).</summary>
    /// <exception cref="RunSpecException">The spec is invalid.</exception>
    /// <exception cref="OutputPathException">The run folder cannot be written (nothing was written, no data was opened).</exception>
    public static TrainingSession Prepare(TrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (composed, resumed, runDirectory) = Compose(request);
        var group = request.ProcessGroup;
        string model = composed.Spec.Model!;

        // The run folder is checked before any work: a non-empty folder is another run (refused unless Overwrite).
        bool replace = false;
        if (runDirectory is not null)
        {
            bool ownFolder = resumed?.ResumedFrom is string from && SamePath(runDirectory, RunConfiguration.RunDirectoryOf(from));
            if (ownFolder && request.Overwrite)
                throw new ArgumentException("Overwrite replaces a folder with a new run; a resumed run continues in its own folder");
            if (group.WorldSize > 1 && request.RunDirectory is null && resumed is null)
                throw new ArgumentException("under several processes the run folder must be given: the ranks must agree on it");
            if (group.IsPrimary)
                replace = OutputChecks.CheckFolder(runDirectory, request.Overwrite || ownFolder, RunBytes(model), createParents: request.RunDirectory is null) && !ownFolder;
        }

        var plan = Complete(request, composed, resumed, runDirectory);
        var spec = plan.Spec;
        var options = spec.Training;
        var provider = request.Data ?? new DataPipeline();
        var data = provider.Open(DataRequestFor(spec, group), options.BatchSize);
        FolderReplacement? replacement = null;
        IDisposable? badImagesWriter = null;
        nn.Module<Tensor, Tensor>? net = null;
        Trainer? trainer = null;
        try
        {
            var modelOptions = resumed?.ModelOptions ?? spec.ModelOptions with
            {
                NumClasses = data.ClassNames.Count,
                InChannels = data.Channels,
                Seed = spec.ModelOptions.Seed ?? options.Seed,
            };
            string? pretrainedFile = null;
            if (spec.Pretrained is string weights)
                (pretrainedFile, modelOptions) = ResolvePretrained(weights, model, modelOptions);
            // Seed the global generator too: weight init that draws from it is then reproducible as well.
            torch.manual_seed(options.Seed);
            net = Zoo.Create(model, modelOptions);
            WeightsLoadResult? pretrained = pretrainedFile is not null ? PretrainedWeights.LoadForFineTuning(net, pretrainedFile) : null;
            var configuration = new RunConfiguration
            {
                Spec = spec with
                {
                    ModelOptions = modelOptions,
                    DataOptions = spec.DataOptions with { Augment = data.Augment ?? spec.DataOptions.Augment, ImageSize = data.ImageSize },
                },
                Classes = data.ClassNames,
                Normalization = data.Normalization,
                Channels = data.Channels,
                ImageSize = data.ImageSize,
                CommandLine = request.CommandLine,
            };
            trainer = new Trainer(net, configuration, runDirectory);
            // Summarised before Resume: nothing may touch the restored generator state before Fit.
            var summary = ModelInspector.Summarize(net, [data.Channels, data.ImageSize, data.ImageSize], model);
            if (resumed?.ResumedFrom is string resumeFrom) trainer.Resume(resumeFrom);
            GradientAllReduce? allReduce = group.WorldSize > 1 ? DataParallel.Attach(trainer, group) : null;
            if (runDirectory is not null && group.IsPrimary)
            {
                // The old run is moved aside now and deleted at the first checkpoint (moved back on failure).
                replacement = FolderReplacement.Begin(runDirectory, replace);
                trainer.Callbacks.Add(replacement);
                // bad-images.tsv: the load-time skips now, rewritten whenever the loader skips a file that fails to decode.
                badImagesWriter = BadImageReport.From(data.BadImages).KeepWritten(Path.Combine(runDirectory, BadImagesFileName), request.Log);
            }
            return new TrainingSession(plan, data, net, trainer, summary, replacement, replace, allReduce, pretrained, badImagesWriter);
        }
        catch
        {
            badImagesWriter?.Dispose();
            replacement?.Dispose();
            trainer?.Dispose();
            net?.Dispose();
            data.Dispose();
            throw;
        }
    }

    /// <summary>Trains (<see cref="Trainer.Fit"/>) on the session's data until done, stopped early or cancelled.</summary>
    public TrainingResult Run(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Trainer.Fit(Data.Train, Data.Validation, cancellationToken);
    }

    /// <summary>The file listing the images an <c>OnBadImage.Skip</c> run left out, in the run folder.</summary>
    public const string BadImagesFileName = "bad-images.tsv";

    /// <summary>The data request of <paramref name="spec"/> for this process of <paramref name="group"/>.</summary>
    public static DataRequest DataRequestFor(RunSpec spec, IProcessGroup? group = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        group ??= SingleProcessGroup.Instance;
        var d = spec.DataOptions;
        return new DataRequest(spec.Data ?? throw new ArgumentException("the run spec names no data"))
        {
            ValidationSplit = d.ValidationSplit,
            OnBadImage = d.OnBadImage,
            MaxBadFraction = d.MaxBadFraction,
            Seed = spec.Training.Seed,
            ImageSize = d.ImageSize,
            Augment = d.Augment,
            Workers = d.Workers,
            Threads = spec.Training.Threads ?? Environment.ProcessorCount,
            Rank = group.Rank,
            WorldSize = group.WorldSize,
        };
    }

    private static (ComposedRunSpec Composed, RunConfiguration? Resumed, string? RunDirectory) Compose(TrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RunConfiguration? resumed = null;
        var layers = new List<RunSpecLayer>();
        // What the caller's layers say on their own (checked here, before any data is touched): the model and data pick
        // the built-in recipe underneath them.
        var upper = RunSpecComposer.Compose(request.Layers);
        string Required(string field) =>
            $"{(request.Layers.Count > 0 ? request.Layers[^1].Spell(field) : RunSpecProblem.PropertyName(field))} is required{FromFiles(request, field)}";
        if (request.Resume is string resume)
        {
            resumed = RunConfiguration.ForResume(resume);
            if (upper.Spec.Model is string other && Zoo.TryResolve(other, out var otherName) && otherName != resumed.Model)
                throw new CheckpointException(resumed.ResumedFrom!, $"holds model '{resumed.Model}', not '{otherName}'");
            layers.Add(resumed.ToResumeLayer());
        }
        else
        {
            string model = upper.Spec.Model is string m ? Zoo.Resolve(m) : throw new RunSpecException([Required("model")]);
            string data = upper.Spec.Data ?? throw new RunSpecException([Required("data")]);
            layers.Add(TrainingDefaults.Layer(model, data));
        }
        layers.AddRange(request.Layers);
        var composed = RunSpecComposer.Compose(layers);
        var canonical = composed.Spec with { Model = Zoo.Resolve(composed.Spec.Model!) };
        composed = composed.WithSpec(canonical);
        // A device that is not there (CUDA on a CPU build) and an input the model cannot take are errors before any data is touched.
        DeviceSelector.Resolve(canonical.Training.Device);
        if (canonical.DataOptions.ImageSize is int size) ModelInputs.EnsureFits(canonical.Model!, size, size);
        string? runDirectory = !request.WriteRunFolder ? null
            : request.RunDirectory ?? (resumed?.ResumedFrom is string from ? RunConfiguration.RunDirectoryOf(from) : DefaultRunDirectory(canonical.Model!));
        return (composed, resumed, runDirectory);
    }

    private static string FromFiles(TrainingRequest request, string field) =>
        request.Layers.FirstOrDefault(l => l.Kind == RunSpecLayerKind.RecipeFile) is { } file ? $": {file.Source} names no {field}" : "";

    private static TrainingPlan Complete(TrainingRequest request, ComposedRunSpec composed, RunConfiguration? resumed, string? runDirectory)
    {
        var provider = request.Data ?? new DataPipeline();
        var facts = provider.Describe(DataRequestFor(composed.Spec, request.ProcessGroup));
        var (final, notes) = TrainingPolicy.Apply(composed, facts, resumed is not null, request.ScaleLearningRate,
            request.ProcessGroup.WorldSize, request.MemoryBudget);
        return new TrainingPlan(final, notes, facts, resumed, runDirectory);
    }

    /// <summary>
    /// <c>runs/MODEL-yyyyMMdd-HHmmss</c>, with <c>-2</c>, <c>-3</c>, ... added when that folder exists, so runs started in
    /// the same second (a sweep script) get folders of their own.
    /// </summary>
    public static string DefaultRunDirectory(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        string stem = Path.Combine("runs", $"{model}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        string candidate = stem;
        for (int n = 2; Directory.Exists(candidate) || File.Exists(candidate); n++) candidate = $"{stem}-{n}";
        return candidate;
    }

    /// <summary>About what a run writes: two checkpoints of weights plus optimiser state, and the logs.</summary>
    private static long RunBytes(string model)
    {
        long parameters = Zoo.TryResolve(model, out var name) ? Zoo.Card(name).Parameters : 0;
        return parameters * 4 * 3 * 2 + (16L << 20);
    }

    /// <summary>
    /// The local file of <paramref name="weights"/> (a file, or known weights by name: fetched into the cache, verified,
    /// once) and the model options those weights need (GoogLeNet's published weights expect
    /// <see cref="GoogLeNetOptions.TransformInput"/>, as torchvision builds the model for them).
    /// </summary>
    /// <exception cref="RunSpecException">Neither a file nor known weights, or another model's weights.</exception>
    private static (string File, ModelOptions Options) ResolvePretrained(string weights, string model, ModelOptions options)
    {
        if (File.Exists(weights)) return (weights, options);
        if (!WeightsHub.TryFind(weights, out var known) || known is null)
            throw new RunSpecException([$"pretrained: '{weights}' is neither a file nor known weights{Spelling.DidYouMean(weights, WeightsHub.All.Select(w => w.Name))} ('modelzoo weights list' shows the known names)"]);
        if (known.Model != model)
            throw new RunSpecException([$"pretrained: \"{known.Name}\" are {known.Model}'s weights, not {model}'s"]);
        string file = WeightsHub.Fetch(known);
        return (file, known.TransformInput ? options with { Family = options.FamilyOr<GoogLeNetOptions>() with { TransformInput = true } } : options);
    }

    private static bool SamePath(string a, string b) => string.Equals(
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
        OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Disposes the trainer, the model and the data; an unfinished folder replacement is undone.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _badImagesWriter?.Dispose();
        _replacement?.Dispose();
        Trainer.Dispose();
        Model.Dispose();
        Data.Dispose();
    }
}
