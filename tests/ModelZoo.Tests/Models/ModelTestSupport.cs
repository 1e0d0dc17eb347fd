using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>Paths, fixtures and small helpers for the model tests.</summary>
internal static class ModelTestSupport
{
    /// <summary>The repository root (see <see cref="TestPaths"/>).</summary>
    public static string RepoRoot => TestPaths.RepoRoot;

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
}
