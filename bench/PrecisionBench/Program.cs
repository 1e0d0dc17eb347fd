// Training-step throughput of a zoo model in fp32, bf16 and with channels-last batches, through the library's own
// Autocast regions and ChannelsLast (the same code paths `modelzoo train --precision` uses), on random input.
// The PyTorch twin is bench/precision/torch_step.py; bench/precision/compare.sh alternates both.
//
//   dotnet PrecisionBench.dll MODEL BATCH fp32|bf16|fp16 nchw|cl STEPS [THREADS]
//
// Prints: "<model> b<batch> <precision> <format>: median step X ms, Y img/s" (median over steps 3..STEPS), and with
// MODELZOO_BENCH_RSS=1 the peak resident memory.
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

bool mnist = model.StartsWith("deepcnn", StringComparison.Ordinal) || model.StartsWith("bnn", StringComparison.Ordinal);
int size = mnist ? 28 : 224, channels = mnist ? 1 : 3;
torch.manual_seed(0);
using var net = Zoo.Create(model, new ModelOptions { NumClasses = 10, InChannels = channels, Seed = 0 });
net.train();
if (channelsLast) ChannelsLast.Apply(net);
var parameters = net.parameters().ToList();
using var optimizer = torch.optim.Adam(net.parameters(), 1e-3);
var x = torch.randn(batch, channels, size, size);
if (channelsLast) x = ChannelsLast.Convert(x);
var y = torch.randint(0, 10, batch);
var times = new List<double>();
for (int i = 0; i < steps; i++)
{
    using var scope = torch.NewDisposeScope();
    var watch = Stopwatch.StartNew();
    Tensor logits;
    using (Autocast.Enter(precision)) logits = net.call(x);
    var loss = nn.functional.cross_entropy(logits.to_type(ScalarType.Float32), y);
    if (channelsLast) foreach (var p in parameters) p.grad = null;
    else optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    _ = loss.item<float>();
    times.Add(watch.Elapsed.TotalSeconds);
}
var sorted = times.Skip(2).Order().ToList();
double median = sorted[sorted.Count / 2];
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
    $"{model} b{batch} {PrecisionSupport.Name(precision)} {(channelsLast ? "cl" : "nchw")}: median step {median * 1000:F1} ms, {batch / median:F1} img/s"));
if (Environment.GetEnvironmentVariable("MODELZOO_BENCH_RSS") == "1")
{
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    Console.WriteLine($"peak RSS {self.PeakWorkingSet64 / (1024 * 1024)} MB");
}
return 0;
