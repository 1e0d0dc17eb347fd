// Decode + augment throughput of ModelZoo.Data on an image folder, without batching into tensors
// (the loader benchmark adds that). Compare with bench/loader/torchvision_loader.py on the same folder.
// Usage: dotnet run -c Release --project bench/ImageThroughput -- DIR [repeat=10] [threads=2] [size=224]
using System.Diagnostics;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Transforms;

string dir = args.Length > 0 ? args[0] : "../shared/datasets/imagenette-mini";
int repeat = args.Length > 1 ? int.Parse(args[1]) : 10;
int threads = args.Length > 2 ? int.Parse(args[2]) : 2;
int size = args.Length > 3 ? int.Parse(args[3]) : 224;

string root = Directory.Exists(Path.Combine(dir, "train")) ? Path.Combine(dir, "train") : dir;
var ds = ImageFolder.LoadSingle(root, new ImageFolderOptions { Preflight = false });
var transform = TransformPresets.ImageNetTrain(size);
int total = ds.Count * repeat;
var options = new ParallelOptions { MaxDegreeOfParallelism = threads };

// Warm-up (JIT, file cache).
Parallel.For(0, Math.Min(total, 64), options, i => transform.Apply(ds.Get(i % ds.Count).Image, new Random(i)));

var sw = Stopwatch.StartNew();
Parallel.For(0, total, options, i => ds.Get(i % ds.Count));
double decodeOnly = total / sw.Elapsed.TotalSeconds;

sw.Restart();
double checksum = 0;
object gate = new();
Parallel.For(0, total, options, () => 0.0, (i, _, acc) =>
{
    var img = transform.Apply(ds.Get(i % ds.Count).Image, new Random(i));
    return acc + img.Data[0];
}, acc => { lock (gate) checksum += acc; });
double full = total / sw.Elapsed.TotalSeconds;
Console.WriteLine($"ModelZoo decode only: {decodeOnly:F1} images/s; decode + ImageNetTrain({size}): {full:F1} images/s " +
    $"({total} images, {threads} threads, checksum {checksum:F3})");
