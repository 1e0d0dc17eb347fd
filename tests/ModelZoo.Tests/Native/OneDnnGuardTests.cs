using System.Runtime.Intrinsics.X86;
using ModelZoo.Native;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Native;

public class OneDnnGuardTests
{
    // cpuid leaf 0 vendor registers (EBX, EDX, ECX) as little-endian ASCII.
    private static (int, int, int) VendorRegisters(string vendor)
    {
        var b = System.Text.Encoding.ASCII.GetBytes(vendor);
        return (BitConverter.ToInt32(b, 0), BitConverter.ToInt32(b, 4), BitConverter.ToInt32(b, 8));
    }

    private static Func<int, int, (int, int, int, int)> FakeCpu(string vendor, int maxBasic, uint maxExtended, int leaf4Eax, int leaf8000001DEax)
    {
        var (ebx, edx, ecx) = VendorRegisters(vendor);
        return (leaf, sub) => unchecked((uint)leaf) switch
        {
            0 => (maxBasic, ebx, ecx, edx),
            4 => (leaf4Eax, 0, 0, 0),
            0x80000000 => (unchecked((int)maxExtended), 0, 0, 0),
            0x8000001D => (leaf8000001DEax, 0, 0, 0),
            _ => (0, 0, 0, 0),
        };
    }

    [Test]
    public void VendorStringIsDecodedFromLeafZero()
    {
        var (ebx, edx, ecx) = VendorRegisters("AuthenticAMD");
        Assert.That(OneDnnGuard.Vendor(ebx, edx, ecx), Is.EqualTo("AuthenticAMD"));
    }

    // A level-1 data cache at sub-leaf 0 has cache type 1 in EAX[4:0] and level 1 in EAX[7:5]: 0x21.
    [TestCase("GenuineIntel", 0x16, 0x80000008u, 0x21, 0, false, TestName = "Intel with cache leaf 4")]
    [TestCase("GenuineIntel", 0x16, 0x80000008u, 0, 0, true, TestName = "Intel VM with empty leaf 4")]
    [TestCase("GenuineIntel", 2, 0x80000008u, 0, 0, false, TestName = "Intel without leaf 4 at all")]
    [TestCase("AuthenticAMD", 0x10, 0x80000028u, 0, 0x21, false, TestName = "AMD with leaf 0x8000001D")]
    [TestCase("AuthenticAMD", 0x10, 0x80000028u, 0, 0, true, TestName = "AMD VM with empty leaf 0x8000001D (Firecracker)")]
    [TestCase("AuthenticAMD", 0x10, 0x80000018u, 0, 0, false, TestName = "older AMD without leaf 0x8000001D")]
    [TestCase("HygonGenuine", 0x0D, 0x8000001Fu, 0, 0, true, TestName = "Hygon VM with empty leaf 0x8000001D")]
    public void CacheInfoIsMissingOnlyWhenTheDeterministicLeafIsEmpty(string vendor, int maxBasic, uint maxExtended, int leaf4, int leafAmd, bool missing) =>
        Assert.That(OneDnnGuard.CacheInfoMissing(FakeCpu(vendor, maxBasic, maxExtended, leaf4, leafAmd)), Is.EqualTo(missing));

    [Test]
    public void NonX86CpusAreNeverFlagged() => Assert.That(OneDnnGuard.CacheInfoMissing(null), Is.False);

    [TestCase(null, true, true, true)]
    [TestCase("auto", true, true, true)]
    [TestCase(null, true, false, false)]
    [TestCase(null, false, true, false)]
    [TestCase("off", false, false, true)]
    [TestCase("OFF", true, true, true)]
    [TestCase("on", true, true, false)]
    [TestCase("1", true, true, false)]
    public void OneDnnGoesOffOnlyForACrashingConvolutionOnHazardousCpusOrWhenForced(string? setting, bool cacheInfoMissing, bool crashing, bool disable)
    {
        string? reason = OneDnnGuard.Decide(setting, cacheInfoMissing, crashing);
        Assert.That(reason is not null, Is.EqualTo(disable));
        if (setting?.ToLowerInvariant() == "off") Assert.That(reason, Does.Contain(OneDnnGuard.EnvironmentVariable));
    }

    // The five pairs (both ways round) found by bench/OneDnnProbe on a VM that hides its caches; nothing else.
    [TestCase(256, 1024, 1, 0, 1, true)]
    [TestCase(1024, 256, 1, 0, 1, true)]
    [TestCase(512, 1024, 1, 0, 1, true)]
    [TestCase(1024, 512, 1, 0, 1, true)]
    [TestCase(512, 2048, 1, 0, 1, true)]
    [TestCase(2048, 512, 1, 0, 1, true)]
    [TestCase(1024, 2048, 1, 0, 1, true)]
    [TestCase(2048, 1024, 1, 0, 1, true)]
    [TestCase(64, 256, 1, 0, 1, false)]
    [TestCase(256, 512, 1, 0, 1, false)]
    [TestCase(1024, 1024, 1, 0, 1, false)]
    [TestCase(1024, 2048, 3, 1, 1, false)]
    [TestCase(1024, 2048, 1, 1, 1, false)]
    [TestCase(2048, 4096, 1, 0, 2, true)]
    public void OnlyFivePointwiseChannelPairsCrash(long inChannels, long outChannels, long kernel, long padding, long groups, bool crashes)
    {
        Assert.That(OneDnnGuard.BackwardCrashes(inChannels, outChannels, kernel, kernel, padding, groups), Is.EqualTo(crashes));
        if (kernel == 1 && padding == 0 && groups == 1)
            Assert.That(TorchRuntime.PointwiseConvolutionCrashes(inChannels, outChannels), Is.EqualTo(crashes));
    }

    [Test]
    public void AnOrdinaryCrashingConvolutionIsFoundAndThePointwiseLayerIsNot()
    {
        using var scope = NewDisposeScope();
        using var plain = nn.Sequential(("stem", nn.Conv2d(3, 512, 3, padding: 1)), ("expand", nn.Conv2d(512, 2048, 1)));
        Assert.That(OneDnnGuard.FindCrashingConvolution(plain), Is.EqualTo("expand (512->2048)"));
        using var safe = nn.Sequential(("stem", nn.Conv2d(3, 512, 3, padding: 1)), ("expand", new ModelZoo.Blocks.PointwiseConv2d(512, 2048)));
        Assert.That(OneDnnGuard.FindCrashingConvolution(safe), Is.Null);
        using var padded = nn.Sequential(("expand", nn.Conv2d(512, 2048, 1, padding: 1)));
        Assert.That(OneDnnGuard.FindCrashingConvolution(padded), Is.Null, "padding makes it no 1x1 convolution for oneDNN");
    }

    [TestCase("deepcnn", false)]
    [TestCase("vgg11", false)]
    [TestCase("resnet18", false)]
    [TestCase("googlenet", false)]
    [TestCase("resnet50", true)]
    [TestCase("resnet101", true)]
    public void ZooModelsBuiltWithPlainConvolutionsAreFoundByShape(string model, bool expected)
    {
        using var net = Zoo.Create(model, new ModelOptions { InChannels = 1, NumClasses = 10, Layers = PlainConvolutions });
        Assert.That(OneDnnGuard.FindCrashingConvolution(net) is not null, Is.EqualTo(expected));
    }

    /// <summary>The default factory but always nn.Conv2d: the network as it is built on a CPU that reports its caches.</summary>
    private static ModelZoo.Blocks.LayerFactory PlainConvolutions { get; } = new()
    {
        Conv = s => nn.Conv2d(s.InChannels, s.OutChannels, s.KernelSize, stride: s.Stride, padding: s.Padding, bias: s.Bias),
    };

    private static bool HazardHere(out string? setting)
    {
        setting = Environment.GetEnvironmentVariable(OneDnnGuard.EnvironmentVariable);
        return OneDnnGuard.CacheInfoMissing(X86Base.IsSupported ? (l, s) => X86Base.CpuId(l, s) : null);
    }

    /// <summary>
    /// On this machine the default factory builds a ResNet-50 whose crashing convolutions are
    /// <see cref="ModelZoo.Blocks.PointwiseConv2d"/> exactly when the CPU hides its cache sizes (and the environment
    /// leaves the choice automatic), with the same state dict and nothing left for the guard to turn oneDNN off for.
    /// </summary>
    [Test]
    public void TheDefaultFactoryReplacesExactlyTheCrashingConvolutionsOnAHazardousCpu()
    {
        using var scope = NewDisposeScope();
        bool hazard = HazardHere(out var setting);
        bool auto = setting is null or "" or "auto";
        var options = new ModelOptions { InChannels = 1, NumClasses = 10, Seed = 4 };
        using var net = Zoo.Create("resnet50", options);
        using var plain = Zoo.Create("resnet50", options with { Layers = PlainConvolutions });
        int replaced = net.modules().OfType<ModelZoo.Blocks.PointwiseConv2d>().Count();
        int crashing = plain.named_modules().Count(m => m.module is TorchSharp.Modules.Conv2d c && OneDnnGuard.BackwardCrashes(c.in_channels, c.out_channels, c.kernel_size[0], c.kernel_size[1], c.padding![0]));
        TestContext.Out.WriteLine($"cache info missing: {hazard}; {OneDnnGuard.EnvironmentVariable}={setting ?? "(unset)"}; replaced {replaced} of {crashing}");
        // layer3: 6 expand (256->1024), 5 reduce (1024->256), the projection (512->1024); layer4: 3 expand (512->2048),
        // 2 reduce (2048->512), the first reduce (1024->512), the projection (1024->2048).
        Assert.That(crashing, Is.EqualTo(19));
        Assert.That(replaced, Is.EqualTo(hazard && auto ? crashing : 0));
        // What PrepareFor looks for: on a hazardous CPU nothing is left to turn oneDNN off for.
        Assert.That(OneDnnGuard.FindCrashingConvolution(net), hazard && auto ? Is.Null : Is.Not.Null);
        var a = net.state_dict();
        var b = plain.state_dict();
        Assert.That(a.Keys, Is.EqualTo(b.Keys));
        foreach (var key in b.Keys)
            Assert.That(ModelZoo.Tests.Models.ModelTestSupport.Same(a[key], b[key]), Is.True, key);
    }
}
