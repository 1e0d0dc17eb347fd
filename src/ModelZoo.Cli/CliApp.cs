using ModelZoo.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli;

/// <summary>
/// Builds and runs the <c>modelzoo</c> command app. One registration line per command in <see cref="Configure"/>.
/// </summary>
public static class CliApp
{
    /// <summary>Registers the commands (one line each) and the app settings.</summary>
    public static void Configure(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SetApplicationName("modelzoo");
        config.SetApplicationVersion(CliVersion.Tool);
        config.PropagateExceptions();
        config.UseStrictParsing();
        config.AddCommand<TrainCommand>("train").WithDescription("Train a zoo model on MNIST-family data or an ImageNet-format folder.")
            .WithExample("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "20")
            .WithExample("train", "--resume", "runs/deepcnn-20260101-120000", "--epochs", "30");
        config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Evaluate one checkpoint, or an ensemble of several, on a data set.")
            .WithExample("evaluate", "--checkpoint", "runs/deepcnn-20260101-120000/checkpoints/best.ckpt", "--data", "mnist-sample");
        config.AddCommand<PredictCommand>("predict").WithDescription("Classify image files with a checkpoint.")
            .WithExample("predict", "--checkpoint", "runs/deepcnn-20260101-120000/checkpoints/best.ckpt", "digit.png", "--top", "3");
        config.AddCommand<EmbedCommand>("embed").WithDescription("Print the pooled features (embeddings) of image files under a checkpoint.")
            .WithExample("embed", "--checkpoint", "runs/deepcnn-20260101-120000/checkpoints/best.ckpt", "digit.png", "--json");
        config.AddCommand<ExportCommand>("export").WithDescription("Write a checkpoint as an ONNX inference graph (opset 17, dynamic batch, preprocessing metadata).")
            .WithExample("export", "--checkpoint", "runs/deepcnn-20260101-120000/checkpoints/best.ckpt", "--format", "onnx", "--output", "deepcnn.onnx");
        config.AddCommand<QuantizeCommand>("quantize").WithDescription("Write a checkpoint as an 8-bit ONNX model (QDQ, calibrated on training images) that ONNX Runtime runs with its integer kernels.")
            .WithExample("quantize", "--checkpoint", "runs/resnet18-20260101-120000", "--calibration-data", "imagenette", "--samples", "256", "--output", "resnet18-int8.onnx");
        config.AddCommand<ImportWeightsCommand>("import-weights").WithDescription("Import a torchvision .pth or safetensors file into a ModelZoo checkpoint.")
            .WithExample("import-weights", "--model", "resnet18", "--weights", "resnet18-f37072fd.pth", "--output", "resnet18-imagenet.ckpt");
        config.AddCommand<InspectCommand>("inspect").WithDescription("Per-layer shapes, parameters and MACs of a model, or its state-dict keys.")
            .WithExample("inspect", "--model", "resnet50", "--input", "3x224x224");
        config.AddCommand<ListCommand>("list").WithDescription("List the zoo's models with their cards.");
        config.AddCommand<ExperimentCommand>("experiment").WithDescription("Run one of the seed's experiments (optimizers, init, depth, augment): PNG plots, CSV numbers, markdown summary.")
            .WithExample("experiment", "optimizers", "--data", "mnist-sample", "--epochs", "1", "--output", "experiments/optimizers");
        config.AddCommand<ReportCommand>("report").WithDescription("Write one self-contained HTML report of a run, evaluation or experiment folder.")
            .WithExample("report", "runs/deepcnn-20260101-120000", "--output", "report.html");
        // Issue 25: pretrained weights by name (one branch, two subcommands).
        config.AddBranch<WeightsSettings>("weights", weights =>
        {
            weights.SetDescription("Pretrained weights by name: list the known ones, or download one into the cache (verified).");
            weights.AddCommand<WeightsListCommand>("list").WithDescription("List the known pretrained weights: URL, hash, licence, preprocessing, accuracy, local copy.");
            weights.AddCommand<WeightsDownloadCommand>("download").WithDescription("Download weights by name or URL into the cache, verify them, print the path.")
                .WithExample("weights", "download", "resnet50");
        });
        config.AddCommand<LrFindCommand>("lr-find").WithDescription("Learning-rate range test: sweep the rate exponentially, plot the loss and suggest a rate.")
            .WithExample("lr-find", "--model", "deepcnn", "--data", "mnist-sample", "--optimizer", "sgd");
    }

    /// <summary>
    /// Runs the app: parses <paramref name="args"/>, executes the command, maps errors to one line on
    /// <paramref name="error"/> and an exit code (<see cref="ExitCodes"/>).
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="console">Standard output (default: the process console, <see cref="CliConsole.ForProcess"/>).</param>
    /// <param name="error">Standard error (default: <see cref="Console.Error"/>).</param>
    /// <param name="signals">Signal handling (default: SIGINT/SIGTERM of this process).</param>
    /// <param name="trainData">Data provider for <c>train</c>, <c>experiment</c> and <c>lr-find</c> (default: <see cref="ModelZoo.Data.DataPipeline"/>).</param>
    /// <param name="interactive">Live progress (default: stdout is a terminal).</param>
    public static async Task<int> RunAsync(
        string[] args,
        IAnsiConsole? console = null,
        TextWriter? error = null,
        CliSignals? signals = null,
        ModelZoo.Data.IDataProvider? trainData = null,
        bool? interactive = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        console ??= CliConsole.ForProcess();
        error ??= Console.Error;
        bool ownSignals = signals is null;
        signals ??= new CliSignals();
        try
        {
            if (args is ["--version"] or ["-v"])
            {
                console.Profile.Out.Writer.WriteLine(CliVersion.Describe());
                return ExitCodes.Success;
            }
            CliArguments.Check(args);
            var env = new CliEnvironment(console, error, signals, trainData ?? new ModelZoo.Data.DataPipeline(),
                interactive ?? (!Console.IsOutputRedirected && console.Profile.Capabilities.Interactive), args);
            var app = new CommandApp();
            app.Configure(c =>
            {
                c.Settings.Console = console;
                c.Settings.Registrar.RegisterInstance<CliEnvironment>(env);
                Configure(c);
            });
            return await app.RunAsync(args, signals.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var (code, message) = CliErrors.Map(e);
            if (code == ExitCodes.Interrupted) code = signals.InterruptedExitCode;
            await error.WriteLineAsync($"modelzoo: error: {message}").ConfigureAwait(false);
            return code;
        }
        finally
        {
            if (ownSignals) signals.Dispose();
        }
    }
}
