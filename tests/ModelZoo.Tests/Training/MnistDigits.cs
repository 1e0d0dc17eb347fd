using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelZoo.Tests.Training;

/// <summary>Test-only reader for the real MNIST subset in ../shared/datasets (no dependency on the data branch).</summary>
internal static class MnistDigits
{
    private static readonly Lazy<(float[] Images, long[] Labels, int Count)> Train = new(() => Load("train"));

    public static (float[] Images, long[] Labels, int Count) TrainSet => Train.Value;

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ModelZoo.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("ModelZoo.sln not found above the test directory");
        }
    }

    public static string DatasetDir => Path.Combine(RepoRoot, "..", "shared", "datasets", "mnist-subset-10k");

    private static (float[], long[], int) Load(string prefix)
    {
        byte[] images = Gunzip(Path.Combine(DatasetDir, $"{prefix}-images-idx3-ubyte.gz"));
        byte[] labels = Gunzip(Path.Combine(DatasetDir, $"{prefix}-labels-idx1-ubyte.gz"));
        if (BinaryPrimitives.ReadInt32BigEndian(images) != 0x803 || BinaryPrimitives.ReadInt32BigEndian(labels) != 0x801)
            throw new InvalidDataException("bad IDX magic");
        int n = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
        var x = new float[n * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (images[16 + i] / 255f - 0.1307f) / 0.3081f;
        var y = new long[n];
        for (int i = 0; i < n; i++) y[i] = labels[8 + i];
        return (x, y, n);
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
