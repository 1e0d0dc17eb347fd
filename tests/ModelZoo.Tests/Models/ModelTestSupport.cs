using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>Paths, fixtures and small helpers for the model tests.</summary>
internal static class ModelTestSupport
{
    /// <summary>The repository root (the folder holding ModelZoo.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ModelZoo.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("ModelZoo.sln not found above the test directory");
        }
    }

    /// <summary>Reads a torchvision fixture: ordered (key, shape) pairs; a scalar has an empty shape.</summary>
    public static IReadOnlyList<(string Key, long[] Shape)> TorchvisionFixture(string name)
    {
        string path = Path.Combine(RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "torchvision", name + ".txt");
        return File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l =>
            {
                var parts = l.Split(' ');
                long[] shape = parts[1] == "scalar" ? [] : parts[1].Split('x').Select(long.Parse).ToArray();
                return (parts[0], shape);
            })
            .ToList();
    }

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static long ParameterCount(nn.Module model) => model.parameters().Sum(p => p.numel());

    /// <summary>Loads the first <paramref name="count"/> images (N x 1 x 28 x 28, normalised) and labels of an IDX gz pair.</summary>
    public static (Tensor Images, Tensor Labels) LoadMnist(string imagesGz, string labelsGz, int count)
    {
        byte[] images = ReadGz(imagesGz);
        byte[] labels = ReadGz(labelsGz);
        if (BigEndian(images, 0) != 0x803 || BigEndian(labels, 0) != 0x801) throw new InvalidDataException("not an IDX image/label pair");
        int n = Math.Min(count, BigEndian(images, 4));
        int rows = BigEndian(images, 8), cols = BigEndian(images, 12);
        var pixels = new float[n * rows * cols];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (images[16 + i] / 255f - 0.1307f) / 0.3081f;
        var y = new long[n];
        for (int i = 0; i < n; i++) y[i] = labels[8 + i];
        return (torch.tensor(pixels, [n, 1, rows, cols]), torch.tensor(y));
    }

    private static int BigEndian(byte[] b, int offset) => (b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3];

    private static byte[] ReadGz(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
