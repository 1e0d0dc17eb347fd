// Loader throughput: images/s delivered by ModelZoo.Data.DataLoader as batched tensors (decode + augment +
// batch assembly), per data set. See bench/README.md.
// Usage: dotnet run -c Release --project bench/LoaderBench -- [mnist|folder] [options]
//   mnist  [--data mnist-sample] [--workers N] [--batch 128] [--epochs 3]
//   folder [--data ../shared/datasets/imagenette-mini] [--repeat 10] [--workers 2] [--batch 64] [--size 224]
//          [--jpeg auto|imagesharp|libjpeg-turbo]
//   decode [--data ../shared/datasets/imagenette-mini] [--repeat 10]: decode only, one thread, ms per image for
//          each JPEG decoder (ImageSharp and, when installed, libjpeg-turbo), alternating, median of 5 rounds
using System.Diagnostics;
using LoaderBench;
using ModelZoo.Data;
using ModelZoo.Data.Transforms;

string mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "mnist";
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

if (mode == "decode")
{
    DecodeBench.Run(Arg("data", "../shared/datasets/imagenette-mini"), int.Parse(Arg("repeat", "10")));
    return;
}

bool folder = mode == "folder";
var jpeg = Arg("jpeg", "auto") switch
{
    "imagesharp" => ModelZoo.Data.Imaging.JpegBackend.ImageSharp,
    "libjpeg-turbo" => ModelZoo.Data.Imaging.JpegBackend.LibJpegTurbo,
    _ => ModelZoo.Data.Imaging.JpegBackend.Auto,
};
string spec = Arg("data", folder ? "../shared/datasets/imagenette-mini" : "mnist-sample");
int workers = int.Parse(Arg("workers", folder ? "2" : Math.Max(1, Environment.ProcessorCount).ToString()));
int batch = int.Parse(Arg("batch", folder ? "64" : "128"));
int epochs = int.Parse(Arg("epochs", folder ? "1" : "3"));
int repeat = int.Parse(Arg("repeat", folder ? "10" : "1"));
int size = int.Parse(Arg("size", "224"));

var split = DataSpec.Resolve(spec);
IImageDataset train = split.Train;
ITransform transform;
if (folder)
{
    // Match bench/loader/torchvision_loader.py: train/ only, repeated, RandomResizedCrop + flip + normalize.
    string trainDir = Path.Combine(spec, "train");
    train = ModelZoo.Data.Folders.ImageFolder.LoadSingle(Directory.Exists(trainDir) ? trainDir : spec,
        new ModelZoo.Data.Folders.ImageFolderOptions { Decode = new ModelZoo.Data.Imaging.ImageDecodeOptions { Jpeg = jpeg } });
    transform = TransformPresets.ImageNetTrain(size, split.Normalization);
}
else
{
    transform = TransformPresets.MnistTrain(normalization: split.Normalization);
}
if (repeat > 1) train = new RepeatedDataset(train, repeat);

var loader = new DataLoader(train, new DataLoaderOptions(BatchSize: batch, Shuffle: true, Seed: 1, Workers: workers, PrefetchBatches: Math.Max(4, 2 * workers), Transform: transform));

// Warm-up: JIT, file cache, first batch.
foreach (var b in loader.GetEpoch(-1))
{
    b.Dispose();
    break;
}

long images = 0;
var watch = Stopwatch.StartNew();
for (int epoch = 0; epoch < epochs; epoch++)
{
    foreach (var b in loader.GetEpoch(epoch))
    {
        images += b.Count;
        b.Dispose();
    }
}
double seconds = watch.Elapsed.TotalSeconds;
Console.WriteLine($"ModelZoo loader images/s: {images / seconds:F1} ({images} images, {seconds:F2} s, {mode} '{spec}', " +
    $"batch {batch}, workers {workers}, epochs {epochs}, repeat {repeat}, sample {split.NativeSize} -> batches of {(folder ? $"3x{size}x{size}" : "1x28x28")}, " +
    $"{Environment.ProcessorCount} cores{(folder ? $", JPEG {(jpeg == ModelZoo.Data.Imaging.JpegBackend.ImageSharp || !ModelZoo.Data.Imaging.SafeImageDecoder.LibJpegTurboAvailable ? "ImageSharp" : "libjpeg-turbo")}" : "")})");
