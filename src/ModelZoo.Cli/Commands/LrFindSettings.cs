using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo lr-find</c>.</summary>
public sealed class LrFindSettings : ComputeSettings
{
    /// <summary>Model.</summary>
    [CommandOption("-m|--model <NAME>")]
    [SpecField("model")]
    [Description("Zoo model to sweep (required).")]
    public string? Model { get; init; }

    /// <summary>Data spec.</summary>
    [CommandOption("-d|--data <SPEC>")]
    [SpecField("data")]
    [Description("Data spec (required): mnist, fashion-mnist, mnist-sample, a folder of IDX files or an image folder.")]
    public string? Data { get; init; }

    /// <summary>First rate.</summary>
    [CommandOption("--start-lr <RATE>")]
    [Description("First learning rate of the sweep (default 1e-7).")]
    public double StartLr { get; init; } = 1e-7;

    /// <summary>Last rate.</summary>
    [CommandOption("--end-lr <RATE>")]
    [Description("Last learning rate of the sweep (default 10).")]
    public double EndLr { get; init; } = 10;

    /// <summary>Steps.</summary>
    [CommandOption("--steps <N>")]
    [Description("Steps of the exponential sweep, one batch each (default 100; the training split repeats if it is shorter).")]
    public int Steps { get; init; } = 100;

    /// <summary>Optimiser.</summary>
    [CommandOption("--optimizer <NAME>")]
    [SpecField("training.optimizer")]
    [Description("sgd, momentum, nesterov, adagrad, adam or adamw (default: the model's recipe).")]
    public string? Optimizer { get; init; }

    /// <summary>Momentum.</summary>
    [CommandOption("--momentum <M>")]
    [SpecField("training.momentum")]
    [Description("Momentum of the momentum optimisers (default 0.9).")]
    public double? Momentum { get; init; }

    /// <summary>Batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [SpecField("training.batchSize")]
    [Description("Mini-batch size (default: the model's recipe).")]
    public int? BatchSize { get; init; }

    /// <summary>Image size.</summary>
    [CommandOption("--image-size <N>")]
    [SpecField("dataOptions.imageSize")]
    [Description("Square input size (default: native size of small data sets, 224 for folders).")]
    public int? ImageSize { get; init; }

    /// <summary>Augmentation.</summary>
    [CommandOption("--augment <PRESET>")]
    [SpecField("dataOptions.augment")]
    [Description("Augmentation preset of the batches (default none).")]
    public string? Augment { get; init; }

    /// <summary>Divergence factor.</summary>
    [CommandOption("--divergence <FACTOR>")]
    [Description("Stop when the smoothed loss exceeds FACTOR x its lowest value (default 4).")]
    public double Divergence { get; init; } = 4;

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [SpecField("training.seed")]
    [Description("Seed of weights, shuffling and dropout (default 42).")]
    public long? Seed { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required");
        if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required");
        if (InputPaths.DataProblem("--data", Data) is string badData) return ValidationResult.Error(badData);
        if (!(StartLr > 0)) return ValidationResult.Error("--start-lr must be positive");
        if (!(EndLr > StartLr)) return ValidationResult.Error("--end-lr must be above --start-lr");
        if (Steps < 5) return ValidationResult.Error("--steps must be at least 5");
        if (!(Divergence > 1)) return ValidationResult.Error("--divergence must be above 1");
        if (ChannelsLast && NoChannelsLast) return ValidationResult.Error("--channels-last and --no-channels-last cannot both be given");
        return ValidationResult.Success();
    }
}
