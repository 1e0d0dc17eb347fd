using System.Text.Json;
using System.Text.Json.Nodes;
using ModelZoo.Data;
using ModelZoo.Data.Folders;

namespace ModelZoo.Training;

/// <summary>
/// Everything a run was started with, written by the trainer as the run folder's config.json and read back typed with
/// <see cref="Load"/>. <see cref="ForResume"/> + <see cref="Merge"/> give the configuration of a resumed run with the
/// same rules the CLI applies: the training options recorded in the checkpoint and the data options recorded in
/// config.json, each replaced by what the caller gives again.
/// </summary>
public sealed record RunConfiguration
{
    /// <summary>The file name in a run folder.</summary>
    public const string FileName = "config.json";

    /// <summary>Canonical model name (config.json <c>model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Options the model was built with (<c>modelOptions</c>).</summary>
    public required ModelOptions ModelOptions { get; init; }

    /// <summary>The data spec (<c>data</c>).</summary>
    public required string Data { get; init; }

    /// <summary>Class names (<c>classes</c>).</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>Input normalisation (<c>normalization</c>).</summary>
    public required Normalization Normalization { get; init; }

    /// <summary>Input channels (<c>channels</c>).</summary>
    public int Channels { get; init; }

    /// <summary>Input height and width (<c>imageSize</c>).</summary>
    public int ImageSize { get; init; }

    /// <summary>Training options (<c>training</c>; <c>seed</c> repeats <see cref="TrainingOptions.Seed"/>).</summary>
    public required TrainingOptions Training { get; init; }

    /// <summary>The checkpoint this run resumed from (<c>resumedFrom</c>), or null for a fresh run.</summary>
    public string? ResumedFrom { get; init; }

    /// <summary>How the data was opened (<c>extras.augment</c>, <c>extras.valSplit</c>, <c>extras.onBadImage</c>); null when not known.</summary>
    public RunDataOptions? DataOptions { get; init; }

    /// <summary>Where the default options came from (<c>extras.recipe</c>).</summary>
    public string? Recipe { get; init; }

    /// <summary>The command line of the run (<c>extras.commandLine</c>).</summary>
    public string? CommandLine { get; init; }

    /// <summary>ModelZoo, TorchSharp, .NET and OS versions (<c>versions</c>), filled in when written.</summary>
    public IReadOnlyDictionary<string, string>? Versions { get; init; }

    /// <summary>When it was written (<c>createdUtc</c>).</summary>
    public DateTimeOffset? CreatedUtc { get; init; }

    /// <summary>The model and data identity the trainer records in checkpoints.</summary>
    public ModelDescriptor Descriptor => new(Model, ModelOptions, Classes, Normalization, Channels, ImageSize, Data);

    /// <summary>A configuration for <paramref name="descriptor"/> and <paramref name="training"/>, without data options.</summary>
    public static RunConfiguration For(ModelDescriptor descriptor, TrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(training);
        return new RunConfiguration
        {
            Model = descriptor.ModelName,
            ModelOptions = descriptor.ModelOptions,
            Data = descriptor.DataSpec,
            Classes = descriptor.ClassNames,
            Normalization = descriptor.Normalization,
            Channels = descriptor.Channels,
            ImageSize = descriptor.ImageSize,
            Training = training,
        };
    }

    /// <summary>
    /// The run folder of a checkpoint path: the folder above <c>checkpoints/</c>, else the file's folder; a folder is
    /// first resolved with <see cref="Checkpoint.ResolvePath"/>.
    /// </summary>
    public static string RunDirectoryOf(string checkpoint)
    {
        string path = Path.GetFullPath(Checkpoint.ResolvePath(checkpoint));
        string dir = Path.GetDirectoryName(path)!;
        return Path.GetFileName(dir) == "checkpoints" ? Path.GetDirectoryName(dir)! : dir;
    }

    /// <summary>
    /// The recorded configuration of the run to resume from <paramref name="checkpoint"/> (a file or a run folder):
    /// model, model options, data spec, classes, input and training options from the checkpoint; data options, recipe
    /// and command line from the run's config.json when it can be read (else the defaults, keeping the image size).
    /// <see cref="ResumedFrom"/> is the checkpoint file.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint is missing or bad.</exception>
    public static RunConfiguration ForResume(string checkpoint)
    {
        string path = Checkpoint.ResolvePath(checkpoint);
        var header = CheckpointFile.ReadHeader(path);
        RunConfiguration? recorded = null;
        string config = Path.Combine(RunDirectoryOf(path), FileName);
        if (File.Exists(config))
        {
            try { recorded = Load(config); }
            catch (RunConfigurationException) { recorded = null; }
        }
        var data = recorded?.DataOptions ?? new RunDataOptions();
        return new RunConfiguration
        {
            Model = header.ModelName,
            ModelOptions = header.ModelOptions,
            Data = header.DataSpec,
            Classes = header.ClassNames,
            Normalization = header.Normalization,
            Channels = header.Channels,
            ImageSize = header.ImageSize,
            Training = header.Training ?? new TrainingOptions(),
            ResumedFrom = path,
            DataOptions = data with { ImageSize = header.ImageSize, Workers = null },
            Recipe = recorded?.Recipe,
            CommandLine = recorded?.CommandLine,
        };
    }

    /// <summary>
    /// This configuration with <paramref name="overrides"/> applied: the model name must stay that of the checkpoint
    /// when resuming; the data spec, every training option and every data option given replace the recorded ones.
    /// </summary>
    /// <exception cref="CheckpointException">Resuming with another model than the checkpoint's.</exception>
    public RunConfiguration Merge(RunOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        if (overrides.Model is string model && !string.Equals(model, Model, StringComparison.Ordinal))
        {
            if (ResumedFrom is not null) throw new CheckpointException(ResumedFrom, $"holds model '{Model}', not '{model}'");
        }
        return this with
        {
            Model = overrides.Model ?? Model,
            Data = overrides.Data ?? Data,
            Training = overrides.Apply(Training),
            DataOptions = overrides.Apply(DataOptions ?? new RunDataOptions()),
        };
    }

    /// <summary>Writes config.json into <paramref name="runDirectory"/> (atomically), with the current versions and time.</summary>
    public void Write(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var extras = new JsonObject();
        if (DataOptions is { } d)
        {
            extras["augment"] = d.Augment;
            extras["valSplit"] = d.ValidationSplit;
            extras["onBadImage"] = d.OnBadImage == OnBadImage.Skip ? "skip" : "fail";
        }
        if (Recipe is not null) extras["recipe"] = Recipe;
        if (CommandLine is not null) extras["commandLine"] = CommandLine;
        var root = new JsonObject
        {
            ["model"] = Model,
            ["modelOptions"] = JsonSerializer.SerializeToNode(ModelOptions, TrainingJson.Options),
            ["data"] = Data,
            ["classes"] = JsonSerializer.SerializeToNode(Classes, TrainingJson.Options),
            ["normalization"] = JsonSerializer.SerializeToNode(Normalization, TrainingJson.Options),
            ["channels"] = Channels,
            ["imageSize"] = ImageSize,
            ["training"] = JsonSerializer.SerializeToNode(Training, TrainingJson.Options),
            ["seed"] = Training.Seed,
            ["resumedFrom"] = ResumedFrom,
            ["extras"] = extras,
            ["versions"] = new JsonObject
            {
                ["modelzoo"] = ModelZoo.Training.Versions.ModelZoo,
                ["torchsharp"] = ModelZoo.Training.Versions.TorchSharp,
                ["dotnet"] = ModelZoo.Training.Versions.DotNet,
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            },
            ["createdUtc"] = (CreatedUtc ?? DateTimeOffset.UtcNow).ToString("O"),
        };
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, FileName);
        string temp = path + ".tmp";
        File.WriteAllText(temp, root.ToJsonString(TrainingJson.Indented));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a config.json (the file, or a run folder holding one).</summary>
    /// <exception cref="RunConfigurationException">It is missing or not a run configuration.</exception>
    public static RunConfiguration Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new RunConfigurationException(file, "no such file");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new RunConfigurationException(file, "not a JSON object");
            var extras = root["extras"] as JsonObject;
            RunDataOptions? data = null;
            if (extras is not null && (extras.ContainsKey("augment") || extras.ContainsKey("valSplit") || extras.ContainsKey("onBadImage")))
            {
                string? augment = extras["augment"]?.GetValue<string>();
                data = new RunDataOptions
                {
                    Augment = augment is "mnist" or "imagenet" ? null : augment,
                    ValidationSplit = extras["valSplit"]?.GetValue<double>() ?? 0,
                    OnBadImage = string.Equals(extras["onBadImage"]?.GetValue<string>(), "skip", StringComparison.OrdinalIgnoreCase) ? OnBadImage.Skip : OnBadImage.Fail,
                    ImageSize = root["imageSize"]?.GetValue<int>(),
                };
            }
            var versions = (root["versions"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
            return new RunConfiguration
            {
                Model = Required(root, "model", file).GetValue<string>(),
                ModelOptions = Required(root, "modelOptions", file).Deserialize<ModelOptions>(TrainingJson.Options) ?? new ModelOptions(),
                Data = root["data"]?.GetValue<string>() ?? "",
                Classes = root["classes"]?.Deserialize<List<string>>(TrainingJson.Options) ?? [],
                Normalization = Required(root, "normalization", file).Deserialize<Normalization>(TrainingJson.Options)
                    ?? throw new RunConfigurationException(file, "no normalization"),
                Channels = root["channels"]?.GetValue<int>() ?? 0,
                ImageSize = root["imageSize"]?.GetValue<int>() ?? 0,
                Training = Required(root, "training", file).Deserialize<TrainingOptions>(TrainingJson.Options) ?? new TrainingOptions(),
                ResumedFrom = root["resumedFrom"]?.GetValue<string>(),
                DataOptions = data,
                Recipe = extras?["recipe"]?.GetValue<string>(),
                CommandLine = extras?["commandLine"]?.GetValue<string>(),
                Versions = versions,
                CreatedUtc = root["createdUtc"]?.GetValue<string>() is string created
                    ? DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
                    : null,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException or NotSupportedException)
        {
            throw new RunConfigurationException(file, $"cannot be read as a run configuration: {e.Message}", e);
        }
    }

    private static JsonNode Required(JsonObject root, string name, string file) =>
        root[name] ?? throw new RunConfigurationException(file, $"has no '{name}'");
}
