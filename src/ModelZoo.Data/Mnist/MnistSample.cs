using System.Security.Cryptography;
using ModelZoo.Data.Idx;

namespace ModelZoo.Data.Mnist;

/// <summary>
/// The bundled offline sample: 10,000 real MNIST digits (8,000 train / 2,000 test) embedded in this assembly,
/// checked against their SHA-256 on load. Not the official split; see docs/data.md for provenance.
/// </summary>
public static class MnistSample
{
    /// <summary>Spec name.</summary>
    public const string Name = "mnist-sample";

    private static readonly (string File, string Sha256)[] Resources =
    [
        ("train-images-idx3-ubyte.gz", "812cb947306b7f4087a4d696ab771473a7162103136cdd6f56bc3c22c35549df"),
        ("train-labels-idx1-ubyte.gz", "ada3d9e59805ca1846621713fc8dddc1bcc7800875b6386d1ed8dc65e75e7c4c"),
        ("t10k-images-idx3-ubyte.gz", "bb74e08e0982c50ece01c1cf7283c6f9a640ff47f4d48506a63035803828e297"),
        ("t10k-labels-idx1-ubyte.gz", "cc0a6821e3d1dcc622419adbc6187ba7d8585759b745ae378c6d595d03bb97ae"),
    ];

    private static readonly Lazy<(IdxDataset Train, IdxDataset Test)> Cached = new(LoadCore);

    /// <summary>The (train, test) data sets, loaded once and shared (they are immutable).</summary>
    /// <exception cref="InvalidIdxFileException">A resource is missing or altered.</exception>
    public static (IdxDataset Train, IdxDataset Test) Load() => Cached.Value;

    private static (IdxDataset, IdxDataset) LoadCore()
    {
        var bytes = Resources.Select(r => ReadResource(r.File, r.Sha256)).ToArray();
        var classes = MnistFamily.Mnist.ClassNames;
        IdxDataset Pair(int i, int l)
        {
            string imagesName = $"{Name}:{Resources[i].File}";
            string labelsName = $"{Name}:{Resources[l].File}";
            var images = IdxReader.ReadImages(new MemoryStream(bytes[i]), imagesName);
            var labels = IdxReader.ReadLabels(new MemoryStream(bytes[l]), labelsName);
            return new IdxDataset(images, labels, classes, imagesName, labelsName);
        }
        return (Pair(0, 1), Pair(2, 3));
    }

    private static byte[] ReadResource(string file, string sha256)
    {
        string resource = "ModelZoo.Data.Resources.mnist-sample." + file;
        using var stream = typeof(MnistSample).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidIdxFileException(resource, "embedded resource is missing from the assembly");
        var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != sha256)
            throw new InvalidIdxFileException(resource, $"SHA-256 mismatch: got {actual}, expected {sha256}");
        return bytes;
    }
}
