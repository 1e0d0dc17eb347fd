// Training-throughput benchmark: `modelzoo train` (the real CLI, run as a child process: data loader, no augmentation,
// metrics.jsonl, TensorBoard, checkpoints, validation) against a bare TorchSharp loop of the same model, batch size,
// optimizer and thread count on the same images, preloaded into one tensor. Runs alternate (cli, bare, cli, bare, ...)
// so both see the same machine load; the report gives medians and the ratio, plus the CLI's resident memory at
// epoch 1 and at the last epoch (from metrics.jsonl's rss_mb).
//
//   dotnet run -c Release --project bench/TrainBench -- [--model deepcnn] [--data mnist-sample] [--batch 100]
//       [--epochs 5] [--runs 3] [--threads N] [--cli path/to/ModelZoo.Cli.dll]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ModelZoo;
using ModelZoo.Data;
using ModelZoo.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

var opts = Args.Parse(args);
if (opts.Mode == "bare")
{
    // Child mode: one bare run, prints one JSON line.
    Console.WriteLine(JsonSerializer.Serialize(BareLoop.Run(opts)));
    return 0;
}

string self = Environment.ProcessPath!;
string selfDll = typeof(Args).Assembly.Location;
string cli = opts.Cli ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll"));
if (!File.Exists(cli)) { Console.Error.WriteLine($"CLI not found at {cli}; build it with `dotnet build -c Release src/ModelZoo.Cli` or pass --cli"); return 1; }

Console.WriteLine($"model {opts.Model}, data {opts.Data}, batch {opts.Batch}, epochs {opts.Epochs}, threads {opts.Threads}, runs {opts.Runs}, cores {Environment.ProcessorCount}");
var cliRates = new List<double>();
var bareRates = new List<double>();
var rss = new List<(double First, double Last)>();
for (int run = 1; run <= opts.Runs; run++)
{
    string dir = Path.Combine(Path.GetTempPath(), $"trainbench-{Environment.ProcessId}-{run}");
    if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    Exec("dotnet", [cli, "train", "--model", opts.Model, "--data", opts.Data, "--epochs", opts.Epochs.ToString(CultureInfo.InvariantCulture),
        "--batch-size", opts.Batch.ToString(CultureInfo.InvariantCulture), "--augment", "none", "--optimizer", "adam", "--lr", "0.001",
        "--threads", opts.Threads.ToString(CultureInfo.InvariantCulture), "--seed", "1", "--output", dir]);
    var epochs = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    // Epoch 1 is warm-up (allocator, JIT); throughput is the median of the remaining epochs.
    double cliRate = Median(epochs.Skip(1).Select(e => e.GetProperty("images_per_second").GetDouble()));
    rss.Add((epochs[0].GetProperty("rss_mb").GetDouble(), epochs[^1].GetProperty("rss_mb").GetDouble()));
    Directory.Delete(dir, recursive: true);

    string bareJson = Exec("dotnet", [selfDll, "bare", .. args]);
    var bare = JsonSerializer.Deserialize<BareResult>(bareJson.Trim().Split('\n')[^1])!;
    cliRates.Add(cliRate);
    bareRates.Add(bare.ImagesPerSecond);
    Console.WriteLine(FormattableString.Invariant(
        $"run {run}: modelzoo train {cliRate:F0} img/s (RSS epoch 1 {rss[^1].First:F0} MB, epoch {opts.Epochs} {rss[^1].Last:F0} MB); bare loop {bare.ImagesPerSecond:F0} img/s"));
}
double c = Median(cliRates), b = Median(bareRates);
// Each CLI run and the bare run right after it saw nearly the same machine: the median of those pairs' ratios is the
// figure least disturbed by this kind of VM's slow swings in speed.
double paired = Median(cliRates.Zip(bareRates, (x, y) => x / y));
double rssGrowth = Median(rss.Select(r => (r.Last - r.First) / r.First * 100));
Console.WriteLine(FormattableString.Invariant(
    $"median: modelzoo train {c:F0} img/s, bare TorchSharp loop {b:F0} img/s, ratio of medians {c / b:F3}, median of paired ratios {paired:F3} (goal >= 0.95); RSS growth epoch 1 -> {opts.Epochs}: {rssGrowth:+0.0;-0.0} % (goal within 5 %)"));
return 0;

string Exec(string file, string[] arguments)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    psi.Environment["CI"] = "true"; // plain progress lines, no live display
    using var p = Process.Start(psi)!;
    var stderr = p.StandardError.ReadToEndAsync();
    string stdout = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {p.ExitCode}:\n{stdout}\n{stderr.Result}");
    return stdout;
}

static double Median(IEnumerable<double> values)
{
    var v = values.OrderBy(x => x).ToArray();
    if (v.Length == 0) return double.NaN;
    return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
}

/// <summary>Benchmark options.</summary>
internal sealed record Args(string Mode, string Model, string Data, int Batch, int Epochs, int Runs, int Threads, string? Cli)
{
    public static Args Parse(string[] args)
    {
        var a = new Args("compare", "deepcnn", "mnist-sample", 100, 5, 3, Environment.ProcessorCount, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            a = args[i] switch
            {
                "bare" => a with { Mode = "bare" },
                "--model" => a with { Model = Next() },
                "--data" => a with { Data = Next() },
                "--batch" => a with { Batch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--epochs" => a with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--runs" => a with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--threads" => a with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--cli" => a with { Cli = Next() },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return a;
    }
}

/// <summary>Result of one bare run.</summary>
internal sealed record BareResult(double ImagesPerSecond, int Images, double Seconds);

/// <summary>
/// The baseline: the same zoo model, Adam, cross-entropy, the same batch size and torch threads, on the training images
/// preloaded into one normalised tensor; each epoch a seeded permutation, index_select per batch, forward, backward,
/// step, each step in a dispose scope. No loader, no metrics, no checkpoints, no validation.
/// </summary>
internal static class BareLoop
{
    public static BareResult Run(Args opts)
    {
        torch.set_num_threads(opts.Threads);
        torch.manual_seed(1);
        var split = DataSpec.Resolve(opts.Data);
        var train = split.Train;
        var norm = Normalize(split);
        var first = train.Get(0).Image;
        int n = train.Count, c = first.Channels, h = first.Height, w = first.Width, per = c * h * w;
        var pixels = new float[(long)n * per];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            var s = train.Get(i);
            var img = norm.Apply(s.Image, new Random(0));
            Array.Copy(img.Data, 0, pixels, (long)i * per, per);
            labels[i] = s.Label;
        }
        using var x = tensor(pixels, [n, c, h, w]);
        using var y = tensor(labels);
        using var model = Zoo.Create(opts.Model, new ModelOptions { NumClasses = split.ClassNames.Count, InChannels = c, Seed = 1 });
        model.train();
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        int batches = n / opts.Batch + (n % opts.Batch == 0 ? 0 : 1);
        var rates = new List<double>();
        for (int epoch = 0; epoch < opts.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            using var order = randperm(n);
            for (int b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                var idx = order.narrow(0, b * opts.Batch, Math.Min(opts.Batch, n - b * opts.Batch));
                var xb = x.index_select(0, idx);
                var yb = y.index_select(0, idx);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(xb), yb);
                loss.backward();
                optimizer.step();
                _ = loss.item<float>();
            }
            watch.Stop();
            if (epoch > 0) rates.Add(n / watch.Elapsed.TotalSeconds); // epoch 1 is warm-up, as for the CLI
        }
        var sorted = rates.Order().ToArray();
        double median = sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new BareResult(median, n, n / median);
    }

    private static ITransform Normalize(DataSplit split) => new ModelZoo.Data.Transforms.Normalize(split.Normalization);
}
