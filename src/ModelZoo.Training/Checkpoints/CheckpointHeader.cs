using ModelZoo.Data;

namespace ModelZoo.Training;

/// <summary>The JSON header of a checkpoint file (see docs/training.md, "Checkpoint format").</summary>
internal sealed record CheckpointHeader
{
    public const string FormatName = "modelzoo-checkpoint";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string ModelName { get; init; }
    public required ModelOptions ModelOptions { get; init; }
    public required List<string> ClassNames { get; init; }
    public required Normalization Normalization { get; init; }
    public int Channels { get; init; }
    public int ImageSize { get; init; }
    public string DataSpec { get; init; } = "";

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; init; }

    /// <summary>Global optimiser steps taken (the scheduler state: the learning rate is a function of it).</summary>
    public long Step { get; init; }

    /// <summary>Batches of epoch <see cref="Epoch"/> + 1 already trained (non-zero only for a checkpoint written on interruption).</summary>
    public int BatchInEpoch { get; init; }

    public double PartialLossSum { get; init; }
    public long PartialCorrect { get; init; }
    public long PartialSamples { get; init; }
    public double PartialSeconds { get; init; }

    /// <summary>The callbacks' states (<see cref="IStatefulCallback"/>) by key; null in checkpoints written before callbacks kept their own.</summary>
    public Dictionary<string, System.Text.Json.Nodes.JsonObject>? Callbacks { get; init; }

    // Written by the release before callbacks kept their own state (the checkpoint callback's best score and the
    // early-stopping counter); read into those states on resume, no longer written.
    public double? BestScore { get; init; }
    public int? BestEpoch { get; init; }
    public double? BestValidationAccuracy { get; init; }
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>The precision policy's state (<see cref="IPrecisionPolicy.GetState"/>, e.g. the loss scale); null in checkpoints written before it was recorded.</summary>
    public Dictionary<string, double>? PrecisionState { get; init; }

    public TrainingOptions? Training { get; init; }
    public string Scheduler { get; init; } = "";
    public long Seed { get; init; }
    public string Device { get; init; } = "cpu";

    public string ModelZooVersion { get; init; } = "";
    public string TorchSharpVersion { get; init; } = "";
    public string DotNetVersion { get; init; } = "";
    public DateTimeOffset CreatedUtc { get; init; }

    public List<CheckpointSection> Sections { get; init; } = [];

    /// <summary>A header for <paramref name="descriptor"/>'s model and data, stamped with this build's versions and the time now.</summary>
    public static CheckpointHeader For(ModelDescriptor descriptor) => new()
    {
        ModelName = descriptor.ModelName,
        ModelOptions = descriptor.ModelOptions,
        ClassNames = descriptor.ClassNames.ToList(),
        Normalization = descriptor.Normalization,
        Channels = descriptor.Channels,
        ImageSize = descriptor.ImageSize,
        DataSpec = descriptor.DataSpec,
        ModelZooVersion = Versions.ModelZoo,
        TorchSharpVersion = Versions.TorchSharp,
        DotNetVersion = Versions.DotNet,
        CreatedUtc = DateTimeOffset.UtcNow,
    };

    public CheckpointInfo ToInfo() => new(ModelName, ModelOptions, ClassNames, Normalization, Channels, ImageSize, Epoch, Step, DataSpec);
}

/// <summary>One binary section: name, offset from the start of the file, length.</summary>
internal sealed record CheckpointSection(string Name, long Offset, long Length);
