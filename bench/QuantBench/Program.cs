// int8 QDQ (OnnxQuantizer) against float32 in ONNX Runtime: speed and accuracy.
//   speed    --model resnet18 [--batch 32] [--rounds 5] [--threads N] [--cache DIR] [--activations uint8|int8]
//            ORT fp32 and ORT int8 on the same input, alternating within each round after a warm-up run of each;
//            prints one "round" line per round and the medians. --cache keeps the two .onnx files between runs
//            (bench/quantization/compare.sh runs one round per process, alternating with PyTorch).
//   accuracy --checkpoint FILE [--data SPEC] [--samples 256] [--methods minmax,percentile,entropy] [--threads N]
//            calibrates on --samples training images (seed 0, as `modelzoo quantize`), then evaluates the float
//            export and each int8 model on the validation split: top-1 of both, the difference, top-1 agreement, sizes.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelZoo;
using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Transforms;
using ModelZoo.Onnx;
using ModelZoo.Onnx.Quantization;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

var inv = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is not ("speed" or "accuracy"))
{
    Console.Error.WriteLine("usage: QuantBench speed --model NAME [--batch 32] [--rounds 5] [--threads N] [--cache DIR] | accuracy --checkpoint FILE [--data SPEC] [--samples N] [--methods LIST]");
    return 2;
}
if (!TorchRuntime.TryInitialize(out var diagnosis)) { Console.Error.WriteLine(diagnosis); return 2; }
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString(inv)), inv);
torch.set_num_threads(threads);
return args[0] == "speed" ? Speed() : Accuracy();

int Speed()
{
    string model = Arg("--model", "resnet18");
    int batch = int.Parse(Arg("--batch", "32"), inv);
    int rounds = int.Parse(Arg("--rounds", "5"), inv);
    var activations = Arg("--activations", "uint8") == "int8" ? QuantizedActivationType.Int8 : QuantizedActivationType.UInt8;
    string cache = Arg("--cache", Path.Combine(Path.GetTempPath(), $"quantbench-{Environment.ProcessId}"));
    Directory.CreateDirectory(cache);
    var (c, h, w) = Zoo.Card(model).DefaultInput;
    string fp32Path = Path.Combine(cache, $"{model}-fp32.onnx"), int8Path = Path.Combine(cache, $"{model}-{activations.ToString().ToLowerInvariant()}.onnx");
    if (!File.Exists(fp32Path) || !File.Exists(int8Path))
    {
        using var net = Zoo.Create(model, new ModelOptions { Seed = 0 });
        net.eval();
        OnnxExporter.Export(net, model, fp32Path);
        // Random weights and synthetic calibration: the kernels' speed does not depend on the values.
        var info = OnnxQuantizer.Quantize(net, OnnxQuantizer.SyntheticCalibration(32, ((int)c, (int)h, (int)w), 8), int8Path,
            new OnnxQuantizationOptions { Threads = threads, Activations = activations });
        Console.WriteLine(string.Create(inv, $"wrote {fp32Path} ({info.FloatBytes / 1e6:F1} MB) and {int8Path} ({info.FileBytes / 1e6:F1} MB, {info.SizeRatio:P1})"));
    }
    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var fp32 = new InferenceSession(fp32Path, options);
    using var int8 = new InferenceSession(int8Path, options);
    var data = new float[batch * c * h * w];
    var random = new Random(0);
    for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 4 - 2);
    long[] shape = [batch, c, h, w];
    int iterations = batch == 1 ? 20 : 3;
    Console.WriteLine($"model {model} input {c}x{h}x{w} batch {batch}, {threads} threads, {rounds} rounds of {iterations} runs; ONNX Runtime {OrtEnv.Instance().GetVersionString()}, int8 activations {activations}");
    Run(fp32, data, shape);
    Run(int8, data, shape);
    var f = new List<double>();
    var q = new List<double>();
    for (int round = 0; round < rounds; round++)
    {
        f.Add(Rate(() => Run(fp32, data, shape), iterations, batch));
        q.Add(Rate(() => Run(int8, data, shape), iterations, batch));
        Console.WriteLine(string.Create(inv, $"round fp32 {f[^1]:F2} int8 {q[^1]:F2} img/s"));
    }
    Console.WriteLine(string.Create(inv, $"median fp32 {Median(f):F2} int8 {Median(q):F2} img/s, ratio {Median(f.Zip(q, (a, b) => b / a).ToList()):F2}"));
    return 0;
}

int Accuracy()
{
    string checkpoint = Checkpoint.ResolveBestPath(Arg("--checkpoint", ""));
    int samples = int.Parse(Arg("--samples", "256"), inv);
    var methods = Arg("--methods", "minmax,percentile,entropy").Split(',').Select(m => Enum.Parse<CalibrationMethod>(m, ignoreCase: true)).ToList();
    var info = Checkpoint.ReadInfo(checkpoint);
    string spec = Arg("--data", info.DataSpec);
    var split = DataSpec.Resolve(spec, new DataOptions(Folder: new ImageFolderOptions { Channels = info.Channels }));
    bool small = info.ImageSize < 64;
    var transform = TransformPresets.Eval(info.ImageSize, info.Normalization, small);
    var preprocessing = new Preprocessing(info.Normalization.Mean, info.Normalization.Std, small ? null : (int)Math.Round(info.ImageSize * 256.0 / 224.0), info.ImageSize, "bilinear");
    var export = new OnnxExportOptions { InputSize = (info.ImageSize, info.ImageSize), Preprocessing = preprocessing, ClassNames = info.ClassNames };
    using var scope = NewDisposeScope();
    var (net, _) = Checkpoint.LoadModel(checkpoint);
    net.eval();
    string dir = Path.Combine(Path.GetTempPath(), $"quantbench-acc-{Environment.ProcessId}");
    Directory.CreateDirectory(dir);
    string fp32Path = Path.Combine(dir, "fp32.onnx");
    var exported = OnnxExporter.Export(net, info.ModelName, fp32Path, export);
    var (labels, fp32) = Predict(fp32Path, split.Validation, transform);
    double accFloat = Top1(fp32, labels);
    Console.WriteLine(string.Create(inv, $"{info.ModelName} on {split.Description}: {labels.Length} validation images, float32 top-1 {accFloat * 100:F2} %, file {exported.FileBytes / 1e6:F2} MB"));
    foreach (var method in methods)
    {
        var train = split.Train;
        var indices = Enumerable.Range(0, train.Count).ToArray();
        new Random(0).Shuffle(indices);
        IImageDataset calibration = samples >= train.Count ? train : new SubsetDataset(train, indices.Take(samples).Order().ToArray());
        var loader = new DataLoader(calibration, new DataLoaderOptions(BatchSize: Math.Clamp(400_000 / (info.ImageSize * info.ImageSize), 1, 64), Shuffle: false, Workers: threads, Transform: transform));
        string int8Path = Path.Combine(dir, $"int8-{method}.onnx");
        var sw = Stopwatch.StartNew();
        var q = OnnxQuantizer.Quantize(net, loader.GetEpoch(0).Select(b => b.Images), int8Path,
            new OnnxQuantizationOptions { Method = method, Threads = threads, Export = export });
        double seconds = sw.Elapsed.TotalSeconds;
        var (_, int8) = Predict(int8Path, split.Validation, transform);
        double accInt8 = Top1(int8, labels);
        double agreement = fp32.Zip(int8).Count(p => p.First == p.Second) / (double)labels.Length;
        Console.WriteLine(string.Create(inv,
            $"{method.ToString().ToLowerInvariant(),-10} calibration {q.Samples} images ({seconds:F0} s): int8 top-1 {accInt8 * 100:F2} % ({(accInt8 - accFloat) * 100:+0.00;-0.00} points), agreement {agreement * 100:F2} %, file {q.FileBytes / 1e6:F2} MB ({q.SizeRatio:P1})"));
    }
    Directory.Delete(dir, recursive: true);
    return 0;
}

static (int[] Labels, int[] Predictions) Predict(string onnx, IImageDataset data, ITransform transform)
{
    using var options = new SessionOptions { InterOpNumThreads = 1 };
    using var session = new InferenceSession(onnx, options);
    var loader = new DataLoader(data, new DataLoaderOptions(BatchSize: 50, Shuffle: false, Transform: transform));
    var labels = new List<int>();
    var predictions = new List<int>();
    foreach (var batch in loader.GetEpoch(0))
    {
        using (batch)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(batch.Images.contiguous().data<float>().ToArray(), batch.Images.shape);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [OnnxMetadata.InputName], [input], [OnnxMetadata.OutputName]);
            var logits = results[0].GetTensorDataAsSpan<float>();
            int classes = logits.Length / batch.Count;
            for (int i = 0; i < batch.Count; i++)
            {
                var row = logits.Slice(i * classes, classes);
                int best = 0;
                for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
                predictions.Add(best);
            }
            labels.AddRange(batch.Labels.data<long>().ToArray().Select(l => (int)l));
        }
    }
    return (labels.ToArray(), predictions.ToArray());
}

static double Top1(int[] predictions, int[] labels) => predictions.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;

static void Run(InferenceSession session, float[] data, long[] shape)
{
    using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
    using var runOptions = new RunOptions();
    using var results = session.Run(runOptions, [OnnxMetadata.InputName], [input], [OnnxMetadata.OutputName]);
    _ = results[0].GetTensorDataAsSpan<float>()[0];
}

static double Rate(Action run, int iterations, int batch)
{
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++) run();
    return iterations * batch / sw.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    var s = values.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
