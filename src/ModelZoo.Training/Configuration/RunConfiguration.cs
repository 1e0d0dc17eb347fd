using System.Text.Json;
using System.Text.Json.Nodes;
using ModelZoo.Data;

namespace ModelZoo.Training;

/// <summary>
/// A run folder's <c>config.json</c>: the <see cref="RunSpec"/> the run was started with, in the spec's one JSON form
/// (so the file is also a recipe: <c>modelzoo train --config runs/x/config.json</c>), plus a <c>run</c> section recording
/// what the data turned out to be (classes, normalisation, input), the checkpoint a resumed run came from, the command
/// line, versions and time. <see cref="Load"/> also reads the previous release's form (run record at the top level,
/// data options under <c>extras</c>). <see cref="ForResume"/> gives the layer a resumed run composes its spec from.
/// </summary>
public sealed record RunConfiguration
{
    /// <summary>The file name in a run folder.</summary>
    public const string FileName = "config.json";

    /// <summary>The specification of the run (model, data, options).</summary>
    public required RunSpec Spec { get; init; }

    /// <summary>Class names of the data (<c>run.classes</c>).</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>Input normalisation (<c>run.normalization</c>).</summary>
    public required Normalization Normalization { get; init; }

    /// <summary>Input channels (<c>run.channels</c>).</summary>
    public int Channels { get; init; }

    /// <summary>Input height and width (<c>run.imageSize</c>).</summary>
    public int ImageSize { get; init; }

    /// <summary>The checkpoint this run resumed from (<c>run.resumedFrom</c>), or null for a fresh run.</summary>
    public string? ResumedFrom { get; init; }

    /// <summary>The command line of the run (<c>run.commandLine</c>).</summary>
    public string? CommandLine { get; init; }

    /// <summary>ModelZoo, TorchSharp, .NET and OS versions (<c>run.versions</c>), filled in when written.</summary>
    public IReadOnlyDictionary<string, string>? Versions { get; init; }

    /// <summary>When it was written (<c>run.createdUtc</c>).</summary>
    public DateTimeOffset? CreatedUtc { get; init; }

    /// <summary>Canonical model name (<see cref="RunSpec.Model"/>).</summary>
    public string Model => Spec.Model ?? "";

    /// <summary>Options the model was built with (<see cref="RunSpec.ModelOptions"/>).</summary>
    public ModelOptions ModelOptions => Spec.ModelOptions;

    /// <summary>The data spec (<see cref="RunSpec.Data"/>).</summary>
    public string Data => Spec.Data ?? "";

    /// <summary>Training options (<see cref="RunSpec.Training"/>).</summary>
    public TrainingOptions Training => Spec.Training;

    /// <summary>How the data was opened (<see cref="RunSpec.DataOptions"/>).</summary>
    public RunDataOptions DataOptions => Spec.DataOptions;

    /// <summary>Where the default options came from (<see cref="RunSpec.Recipe"/>).</summary>
    public string? Recipe => Spec.Recipe;

    /// <summary>The model and data identity the trainer records in checkpoints.</summary>
    public ModelDescriptor Descriptor => new(Model, ModelOptions, Classes, Normalization, Channels, ImageSize, Data);

    /// <summary>A configuration for <paramref name="descriptor"/> and <paramref name="training"/>, with default data options.</summary>
    public static RunConfiguration For(ModelDescriptor descriptor, TrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(training);
        return new RunConfiguration
        {
            Spec = new RunSpec
            {
                Model = descriptor.ModelName,
                ModelOptions = descriptor.ModelOptions,
                Data = descriptor.DataSpec,
                Training = training,
                DataOptions = new RunDataOptions { ImageSize = descriptor.ImageSize },
            },
            Classes = descriptor.ClassNames,
            Normalization = descriptor.Normalization,
            Channels = descriptor.Channels,
            ImageSize = descriptor.ImageSize,
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
    /// The recorded configuration of the run to resume from <paramref name="checkpoint"/> (a file or a run folder): model,
    /// model options, data spec, classes, input and training options from the checkpoint; data options, recipe and command
    /// line from the run's config.json when it can be read (else the defaults, keeping the image size).
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
            catch (Exception e) when (e is RunConfigurationException or RunSpecException) { recorded = null; }
        }
        var data = recorded?.DataOptions ?? new RunDataOptions();
        return new RunConfiguration
        {
            Spec = new RunSpec
            {
                Model = header.ModelName,
                ModelOptions = header.ModelOptions,
                Data = header.DataSpec,
                Training = header.Training ?? new TrainingOptions(),
                DataOptions = data with { ImageSize = header.ImageSize, Workers = null },
                Pretrained = null,
                Recipe = recorded?.Recipe,
            },
            Classes = header.ClassNames,
            Normalization = header.Normalization,
            Channels = header.Channels,
            ImageSize = header.ImageSize,
            ResumedFrom = path,
            CommandLine = recorded?.CommandLine,
        };
    }

    /// <summary>
    /// The layer a resumed run composes its spec from (<see cref="RunSpecLayerKind.ResumedRun"/>): every recorded field,
    /// below what the caller gives again. The checkpoint's weights replace any <c>pretrained</c> file.
    /// </summary>
    public RunSpecLayer ToResumeLayer() =>
        RunSpecLayer.FromSpec(Spec with { Pretrained = null }, RunSpecLayerKind.ResumedRun, ResumedFrom ?? FileName);

    /// <summary>Writes config.json into <paramref name="runDirectory"/> (atomically), with the current versions and time.</summary>
    public void Write(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var root = Spec.ToJson();
        root[RunSpecJson.RunSection] = new JsonObject
        {
            ["classes"] = JsonSerializer.SerializeToNode(Classes, TrainingJson.Options),
            ["normalization"] = JsonSerializer.SerializeToNode(Normalization, TrainingJson.Options),
            ["channels"] = Channels,
            ["imageSize"] = ImageSize,
            ["resumedFrom"] = ResumedFrom,
            ["commandLine"] = CommandLine,
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
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temp, root.ToJsonString(TrainingJson.Indented));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads a config.json (the file, or a run folder holding one), in the current form or the previous release's.</summary>
    /// <exception cref="RunConfigurationException">It is missing or not a run configuration.</exception>
    public static RunConfiguration Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new RunConfigurationException(file, "no such file");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw new RunConfigurationException(file, "not a JSON object");
            if (root["model"] is null) throw new RunConfigurationException(file, "has no 'model'");
            // The previous release kept the run record at the top level; this one under "run".
            var record = root[RunSpecJson.RunSection] as JsonObject ?? root;
            var layer = RunSpecLayer.FromJson(root, file, RunSpecLayerKind.ResumedRun);
            var spec = RunSpecComposer.Compose([layer]).Spec;
            var versions = (record["versions"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
            int imageSize = record["imageSize"]?.GetValue<int>() ?? spec.DataOptions.ImageSize ?? 0;
            return new RunConfiguration
            {
                Spec = spec with { DataOptions = spec.DataOptions with { ImageSize = spec.DataOptions.ImageSize ?? (imageSize > 0 ? imageSize : null) } },
                Classes = record["classes"]?.Deserialize<List<string>>(TrainingJson.Options) ?? [],
                Normalization = (record["normalization"] ?? throw new RunConfigurationException(file, "has no 'normalization'"))
                    .Deserialize<Normalization>(TrainingJson.Options) ?? throw new RunConfigurationException(file, "has no normalization"),
                Channels = record["channels"]?.GetValue<int>() ?? 0,
                ImageSize = imageSize,
                ResumedFrom = record["resumedFrom"]?.GetValue<string>(),
                CommandLine = record["commandLine"]?.GetValue<string>() ?? (root["extras"] as JsonObject)?["commandLine"]?.GetValue<string>(),
                Versions = versions,
                CreatedUtc = record["createdUtc"]?.GetValue<string>() is string created
                    ? DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
                    : null,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException or NotSupportedException
            or RunSpecException)
        {
            throw new RunConfigurationException(file, $"cannot be read as a run configuration: {e.Message}", e);
        }
    }
}
