// ONNX Runtime vs TorchSharp inference on the same exported model, in one process, alternating rounds.
// Usage: dotnet bench/OnnxBench/bin/Release/net10.0/OnnxBench.dll [--model resnet18] [--rounds 5] [--batches 1,32] [--threads N]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelZoo;
using ModelZoo.Onnx;
using TorchSharp;
using static TorchSharp.torch;

string model = Arg("--model", "resnet18");
int rounds = int.Parse(Arg("--rounds", "5"), CultureInfo.InvariantCulture);
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
int[] batches = Arg("--batches", "1,32").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();

if (!TorchRuntime.TryInitialize(out var diagnosis)) { Console.Error.WriteLine(diagnosis); return 2; }
torch.set_num_threads(threads);
var card = Zoo.Card(model);
var (c, h, w) = card.DefaultInput;
using var net = Zoo.Create(model);
net.eval();
string path = Path.Combine(Path.GetTempPath(), $"onnxbench-{model}-{Environment.ProcessId}.onnx");
OnnxExporter.Export(net, model, path);
using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(path, options);
Console.WriteLine($"model {model} input {c}x{h}x{w}, {threads} threads, {rounds} alternating rounds; ONNX Runtime {OrtEnv.Instance().GetVersionString()}, TorchSharp 0.107");

foreach (int batch in batches)
{
    int iterations = batch == 1 ? 20 : 3;
    var torchRates = new List<double>();
    var ortRates = new List<double>();
    var ratios = new List<double>();
    var data = new float[batch * c * h * w];
    for (int i = 0; i < data.Length; i++) data[i] = (float)(i % 17) / 17f - 0.5f;
    var ortInput = new DenseTensor<float>(data, [batch, c, h, w]);
    double diff = 0;
    for (int round = 0; round <= rounds; round++)
    {
        double torchRate = Measure(() =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var y = net.call(tensor(data, [batch, c, h, w]));
            _ = y.data<float>()[0];
        });
        double ortRate = Measure(() =>
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", ortInput)]);
            _ = results.First().AsTensor<float>()[0, 0];
        });
        if (round == 0)
        {
            // Warm-up round, also the correctness check.
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var y = net.call(tensor(data, [batch, c, h, w])).data<float>().ToArray();
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", ortInput)]);
            var z = results.First().AsTensor<float>().ToArray();
            diff = y.Zip(z, (a, b) => Math.Abs(a - b)).Max();
            continue;
        }
        torchRates.Add(torchRate);
        ortRates.Add(ortRate);
        ratios.Add(ortRate / torchRate);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"batch {batch}: TorchSharp {Median(torchRates):F1} img/s, ONNX Runtime {Median(ortRates):F1} img/s, median ratio ORT/TorchSharp {Median(ratios):F2} (rounds: {string.Join(" ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}); max |diff| {diff:E1}"));

    double Measure(Action run)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) run();
        return iterations * batch / watch.Elapsed.TotalSeconds;
    }
}
File.Delete(path);
return 0;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
