using System.Security.Cryptography;
using ModelZoo.Hub;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// The files the weights-download tests serve, written at test time by Debian's PyTorch (make_hub_files.py): a
/// torchvision resnet18 state dict with random weights, and a torch.save file whose pickle runs <c>os.system</c>.
/// Also temporary cache folders (<c>MODELZOO_CACHE</c> and <c>TORCH_HOME</c> stand-ins), so no test touches ~/.cache.
/// </summary>
internal sealed class HubFiles : IDisposable
{
    public HubFiles()
    {
        TorchReference.Require();
        Root = Directory.CreateTempSubdirectory("modelzoo-hub-").FullName;
        Marker = Path.Combine(Root, "PWNED");
        string files = Path.Combine(Root, "files");
        Directory.CreateDirectory(files);
        TorchReference.RunScript("make_hub_files.py", files, Marker);
        ResNet18 = File.ReadAllBytes(Path.Combine(files, "resnet18.pth"));
        Hostile = File.ReadAllBytes(Path.Combine(files, "hostile.pth"));
        ResNet18Sha = Convert.ToHexStringLower(SHA256.HashData(ResNet18));
        HostileSha = Convert.ToHexStringLower(SHA256.HashData(Hostile));
        ResNet18File = Path.Combine(files, "resnet18.pth");
    }

    public string Root { get; }

    /// <summary>The file the hostile pickle would create if anything ran it.</summary>
    public string Marker { get; }

    public byte[] ResNet18 { get; }

    public string ResNet18Sha { get; }

    public string ResNet18File { get; }

    public byte[] Hostile { get; }

    public string HostileSha { get; }

    /// <summary>torch.hub's file name for the resnet18 file: NAME-PREFIX.pth with its SHA-256 prefix.</summary>
    public string HubName => $"resnet18-{ResNet18Sha[..8]}.pth";

    /// <summary>A new, empty folder under <see cref="Root"/>.</summary>
    public string NewDirectory(string prefix)
    {
        string dir = Path.Combine(Root, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Fresh, empty cache folders for one test.</summary>
    public HubOptions FreshOptions(string? mirror = null, bool offline = false)
    {
        string dir = NewDirectory("case");
        return new HubOptions
        {
            CacheDirectory = Path.Combine(dir, "modelzoo"),
            TorchHubDirectory = Path.Combine(dir, "torch", "hub"),
            Mirror = mirror,
            Offline = offline,
            Attempts = 2,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            StallTimeout = TimeSpan.FromSeconds(5),
            OverallTimeout = TimeSpan.FromSeconds(60),
            LockTimeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>A known-weights entry for resnet18 served at <paramref name="url"/>, with the fixture's real hash (tests add it through the hub's seam).</summary>
    public WeightsInfo Entry(string url, string tag = "test_in1k") => WeightsInfo.Torchvision("resnet18", "tv_in1k", "ResNet18_Weights.IMAGENET1K_V1", "resnet18-f37072fd.pth", 69.758, 89.078) with
    {
        Tag = tag,
        Url = url,
        Sha256 = ResNet18Sha,
        Size = ResNet18.Length,
        UpstreamName = "test",
        IsDefault = false,
    };

    /// <summary>The files in a folder tree (relative), ignoring the empty lock files.</summary>
    public static List<string> FilesUnder(string dir) => !Directory.Exists(dir) ? [] :
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.locks{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
