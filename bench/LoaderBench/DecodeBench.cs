using System.Diagnostics;
using ModelZoo.Data.Imaging;

namespace LoaderBench;

/// <summary>Decode-only timing of the JPEG decoders behind SafeImageDecoder: one thread, alternating rounds, medians.</summary>
internal static class DecodeBench
{
    public static void Run(string root, int repeat)
    {
        string[] files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToArray();
        byte[][] bytes = files.Select(File.ReadAllBytes).ToArray();
        var decoders = new List<(string Name, SafeImageDecoder Decoder)> { ("ImageSharp", new SafeImageDecoder(new ImageDecodeOptions { Jpeg = JpegBackend.ImageSharp })) };
        if (SafeImageDecoder.LibJpegTurboAvailable)
            decoders.Add(("libjpeg-turbo", new SafeImageDecoder(new ImageDecodeOptions { Jpeg = JpegBackend.LibJpegTurbo })));
        var times = decoders.ToDictionary(d => d.Name, _ => new List<double>());
        foreach (var (_, d) in decoders)
            for (int i = 0; i < bytes.Length; i++) d.Decode(bytes[i], files[i]); // warm-up
        for (int round = 0; round < 5; round++)
        {
            foreach (var (name, d) in decoders)
            {
                var watch = Stopwatch.StartNew();
                for (int r = 0; r < repeat; r++)
                    for (int i = 0; i < bytes.Length; i++) d.Decode(bytes[i], files[i]);
                times[name].Add(watch.Elapsed.TotalMilliseconds / (repeat * bytes.Length));
            }
        }

        foreach (var (name, list) in times)
        {
            list.Sort();
            Console.WriteLine($"{name}: {list[2]:F3} ms per image (median of 5 rounds of {repeat} x {bytes.Length} files; rounds {string.Join(" / ", list.Select(t => t.ToString("F3")))})");
        }

        if (times.Count == 2)
            Console.WriteLine($"libjpeg-turbo speed-up: {times["ImageSharp"][2] / times["libjpeg-turbo"][2]:F2}x");

        // Where the rest of an image's time goes: the ImageNet training transforms, one at a time, on the decoded images.
        var images = bytes.Select((b, i) => decoders[^1].Decoder.Decode(b, files[i])).ToArray();
        var stages = new (string Name, ModelZoo.Data.Transforms.ITransform Transform)[]
        {
            ("RandomResizedCrop(224)", new ModelZoo.Data.Transforms.RandomResizedCrop(224)),
            ("RandomHorizontalFlip", new ModelZoo.Data.Transforms.RandomHorizontalFlip()),
            ("Normalize", new ModelZoo.Data.Transforms.Normalize(ModelZoo.Data.Normalization.ImageNet)),
        };
        var rng = new Random(1);
        foreach (var (name, transform) in stages)
        {
            var list = new List<double>();
            for (int round = 0; round < 5; round++)
            {
                var watch = Stopwatch.StartNew();
                for (int r = 0; r < repeat; r++)
                    foreach (var image in images) transform.Apply(image, rng);
                list.Add(watch.Elapsed.TotalMilliseconds / (repeat * images.Length));
            }

            list.Sort();
            Console.WriteLine($"{name}: {list[2]:F3} ms per image");
        }
    }
}
