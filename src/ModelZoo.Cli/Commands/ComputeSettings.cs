using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// The compute group: <c>--device</c>, <c>--threads</c>, <c>--precision</c> and <c>--channels-last</c> /
/// <c>--no-channels-last</c>, plus the output group. Values are checked once here (the train command hands them to
/// the library's run specification, which checks them there instead).
/// </summary>
public abstract class ComputeSettings : OutputSettings
{
    /// <summary>Device.</summary>
    [CommandOption("--device <DEVICE>")]
    [SpecField("training.device")]
    [Description("cpu, cuda or cuda:N. Default cpu.")]
    public string? Device { get; init; }

    /// <summary>CPU threads.</summary>
    [CommandOption("--threads <N>")]
    [SpecField("training.threads")]
    [Description("CPU threads for torch (and the data loader's workers where the command loads data); default: the number of cores.")]
    public int? Threads { get; init; }

    /// <summary>Compute precision.</summary>
    [CommandOption("--precision <NAME>")]
    [SpecField("training.precision")]
    [Description("fp32 (default), bf16 or fp16: convolutions and matrix products in 16 bits under autocast, float32 weights and results. bf16 is fast on CPUs with AVX512-BF16 or AMX.")]
    public string? Precision { get; init; }

    /// <summary>Channels-last memory format on.</summary>
    [CommandOption("--channels-last")]
    [SpecField("training.channelsLast")]
    [Description("Channels-last (NHWC) memory format for the model and its batches (same results to float rounding). Default: on for training on CPU and for 16-bit inference.")]
    public bool ChannelsLast { get; init; }

    /// <summary>Channels-last memory format off.</summary>
    [CommandOption("--no-channels-last")]
    [SpecField("training.channelsLast", Value = false)]
    [Description("Keep the NCHW memory format (or turn off a recorded --channels-last on resume).")]
    public bool NoChannelsLast { get; init; }

    /// <summary>The largest <c>--threads</c> accepted: a sane multiple of the cores (more only oversubscribes them).</summary>
    public static int MaxThreads => ModelZoo.Training.TrainingOptions.MaxThreads;

    /// <summary><c>--threads</c>, or the number of cores.</summary>
    public int ThreadsOrDefault => Threads ?? Environment.ProcessorCount;

    /// <summary><c>--precision</c> parsed (checked by <see cref="Validate"/>), fp32 when not given.</summary>
    public ComputePrecision PrecisionOrDefault => Precision is null ? ComputePrecision.Fp32 : PrecisionSupport.Parse(Precision);

    /// <summary>True for <c>--channels-last</c>, false for <c>--no-channels-last</c>, null for neither.</summary>
    public bool? ChannelsLastChoice => ChannelsLast ? true : NoChannelsLast ? false : null;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (Threads is < 1) return ValidationResult.Error("--threads must be at least 1");
        if (Threads > MaxThreads)
            return ValidationResult.Error($"--threads {Threads} is far more than this machine's {Environment.ProcessorCount} cores; give at most {MaxThreads}");
        if (Precision is not null && !PrecisionSupport.TryParse(Precision, out _))
            return ValidationResult.Error($"--precision must be fp32, bf16 or fp16, not '{Precision}'");
        if (ChannelsLast && NoChannelsLast) return ValidationResult.Error("--channels-last and --no-channels-last cannot both be given");
        if (Device is not null && string.IsNullOrWhiteSpace(Device)) return ValidationResult.Error("--device needs a device (cpu, cuda or cuda:N)");
        return base.Validate();
    }
}
