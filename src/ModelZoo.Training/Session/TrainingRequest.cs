using ModelZoo.Data;

namespace ModelZoo.Training;

/// <summary>
/// What a caller asks of a <see cref="TrainingSession"/>: the layers of the run spec it gives (above the built-in recipe,
/// lowest first: a recipe file, then options in code or the command line), or a run to resume, and where and how the run
/// folder is written.
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>The caller's spec layers, lowest first (e.g. <see cref="RunSpecLayer.FromFile"/> then the command line).</summary>
    public IReadOnlyList<RunSpecLayer> Layers { get; init; } = [];

    /// <summary>A run folder or checkpoint to resume; its recorded spec goes under <see cref="Layers"/>.</summary>
    public string? Resume { get; init; }

    /// <summary>The run folder; null: the resumed run's folder, or <c>runs/MODEL-yyyyMMdd-HHmmss</c> (made unique) for a new run.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Replace a non-empty <see cref="RunDirectory"/> (the old run is kept aside until the new one's first checkpoint).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Write a run folder (config.json, checkpoints, metrics); false writes nothing (experiments, lr-find).</summary>
    public bool WriteRunFolder { get; init; } = true;

    /// <summary>Apply the linear learning-rate scaling rule (<see cref="TrainingPolicy"/>; <c>--no-lr-scale</c> turns it off).</summary>
    public bool ScaleLearningRate { get; init; } = true;

    /// <summary>The processes of a data-parallel run (one by default).</summary>
    public IProcessGroup ProcessGroup { get; init; } = SingleProcessGroup.Instance;

    /// <summary>Opens the data; null: <see cref="DataPipeline"/>.</summary>
    public IDataProvider? Data { get; init; }

    /// <summary>The command line, recorded in config.json.</summary>
    public string? CommandLine { get; init; }

    /// <summary>Bytes a training step may plan for; null: <see cref="TrainingPolicy.MemoryBudget"/>.</summary>
    public long? MemoryBudget { get; init; }

    /// <summary>Where the session's own lines go (e.g. "skipped 2 bad images: listed in ..."); null: nowhere.</summary>
    public Action<string>? Log { get; init; }
}
