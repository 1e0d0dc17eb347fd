// Training-step throughput of a zoo model in fp32, bf16 and with channels-last batches, through the library's own
// Autocast regions and ChannelsLast (the same code paths `modelzoo train --precision` uses), on random input.
// The PyTorch twin is bench/precision/torch_step.py; bench/precision/compare.sh alternates both.
//
//   dotnet PrecisionBench.dll MODEL BATCH fp32|bf16|fp16 nchw|cl STEPS [THREADS]
//
// Prints: "<model> b<batch> <precision> <format>: median step X ms, Y img/s" (median over steps 3..STEPS), and with
// MODELZOO_BENCH_RSS=1 the peak resident memory; with MODELZOO_BENCH_SPLIT=1 also the median forward (with the loss),
// backward and optimiser-step times, to see where a gap to PyTorch is.
using System.Diagnostics;
using ModelZoo;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length < 5)
{
    Console.Error.WriteLine("usage: PrecisionBench MODEL BATCH fp32|bf16|fp16 nchw|cl STEPS [THREADS]");
    return 2;
}
string model = args[0];
int batch = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var precision = PrecisionSupport.Parse(args[2]);
// "cl" is what `modelzoo train --channels-last` does: weights and batches NHWC, gradients dropped between steps.
bool channelsLast = args[3] == "cl";
int steps = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
int threads = args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 2;
torch.set_num_threads(threads);
// What the trainer does at its start (MODELZOO_MALLOC=default turns it off, for the baseline).
Console.Error.WriteLine(TorchRuntime.TuneAllocatorForTraining() ?? "malloc: glibc defaults");

bool mnist = model.StartsWith("deepcnn", StringComparison.Ordinal) || model.StartsWith("bnn", StringComparison.Ordinal);
int size = mnist ? 28 : 224, channels = mnist ? 1 : 3;
torch.manual_seed(0);
// "conv3x3": one 64->64 3x3 convolution (no bias) + global pool + linear at 56 px, resnet18's layer1 shape, to
// compare a bare convolution's kernels between this libtorch and PyTorch's (torch_step.py has the same model).
// "convbn": the same with batch norm and ReLU after the convolution; "stem": resnet's 7x7/2 convolution, batch norm,
// ReLU and 3x3/2 max-pool at 224 px.
bool bare = model is "conv3x3" or "convbn" or "stem";
if (bare) (size, channels) = model == "stem" ? (224, 3) : (56, 64);
nn.Module<Tensor, Tensor> Probe() => model switch
{
    "conv3x3" => nn.Sequential(("conv", nn.Conv2d(64, 64, 3, padding: 1, bias: false)), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(64, 10))),
    "convbn" => nn.Sequential(("conv", nn.Conv2d(64, 64, 3, padding: 1, bias: false)), ("bn", nn.BatchNorm2d(64)), ("relu", nn.ReLU(inplace: true)), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(64, 10))),
    _ => nn.Sequential(("conv", nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false)), ("bn", nn.BatchNorm2d(64)), ("relu", nn.ReLU(inplace: true)), ("maxpool", nn.MaxPool2d(3, stride: 2, padding: 1)), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(64, 10))),
};
using var net = bare ? Probe() : Zoo.Create(model, new ModelOptions { NumClasses = 10, InChannels = channels, Seed = 0 });
net.train();
if (channelsLast) ChannelsLast.Apply(net);
var parameters = net.parameters().ToList();
using var optimizer = torch.optim.Adam(net.parameters(), 1e-3);
var x = torch.randn(batch, channels, size, size);
if (channelsLast) x = ChannelsLast.Convert(x);
var y = torch.randint(0, 10, batch);
if (Environment.GetEnvironmentVariable("MODELZOO_BENCH_LAYERS") == "1")
{
    // Forward time per top-level child (training mode, autograd on), median of STEPS: where a forward gap is.
    var perChild = new Dictionary<string, List<double>>();
    for (int i = 0; i < steps; i++)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = x;
        foreach (var (name, child) in net.named_children())
        {
            if (name == "fc") h = h.flatten(1);
            var w = Stopwatch.StartNew();
            h = ((nn.Module<Tensor, Tensor>)child).call(h);
            (perChild.TryGetValue(name, out var l) ? l : perChild[name] = new List<double>()).Add(w.Elapsed.TotalMilliseconds);
        }
    }
    Console.WriteLine("layers: " + string.Join(", ", perChild.Select(kv => $"{kv.Key} {kv.Value.Skip(2).Order().ElementAt((kv.Value.Count - 2) / 2):F1}")));
}
var times = new List<double>();
var forward = new List<double>();
var backward = new List<double>();
var update = new List<double>();
for (int i = 0; i < steps; i++)
{
    using var scope = torch.NewDisposeScope();
    var watch = Stopwatch.StartNew();
    Tensor logits;
    using (Autocast.Enter(precision)) logits = net.call(x);
    var loss = nn.functional.cross_entropy(logits.to_type(ScalarType.Float32), y);
    double t1 = watch.Elapsed.TotalSeconds;
    if (channelsLast) foreach (var p in parameters) p.grad = null;
    else optimizer.zero_grad();
    loss.backward();
    double t2 = watch.Elapsed.TotalSeconds;
    optimizer.step();
    double t3 = watch.Elapsed.TotalSeconds;
    _ = loss.item<float>();
    times.Add(watch.Elapsed.TotalSeconds);
    forward.Add(t1);
    backward.Add(t2 - t1);
    update.Add(t3 - t2);
}
var sorted = times.Skip(2).Order().ToList();
double median = sorted[sorted.Count / 2];
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
    $"{model} b{batch} {PrecisionSupport.Name(precision)} {(channelsLast ? "cl" : "nchw")}: median step {median * 1000:F1} ms, {batch / median:F1} img/s"));
if (Environment.GetEnvironmentVariable("MODELZOO_BENCH_SPLIT") == "1")
{
    static double Median(List<double> t) => t.Skip(2).Order().ElementAt((t.Count - 2) / 2) * 1000;
    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"split: forward+loss {Median(forward):F1} ms, zero_grad+backward {Median(backward):F1} ms, optimiser {Median(update):F1} ms"));
}
if (Environment.GetEnvironmentVariable("MODELZOO_BENCH_RSS") == "1")
{
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    Console.WriteLine($"peak RSS {self.PeakWorkingSet64 / (1024 * 1024)} MB");
}
return 0;
