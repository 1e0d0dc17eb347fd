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
    public void OneDnnGoesOffForPointwiseConvolutionsOnHazardousCpusOrWhenForced(string? setting, bool cacheInfoMissing, bool pointwise, bool disable)
    {
        string? reason = OneDnnGuard.Decide(setting, cacheInfoMissing, pointwise);
        Assert.That(reason is not null, Is.EqualTo(disable));
        if (setting?.ToLowerInvariant() == "off") Assert.That(reason, Does.Contain(OneDnnGuard.EnvironmentVariable));
    }

    [TestCase("deepcnn", false)]
    [TestCase("vgg11", false)]
    [TestCase("resnet18", true)]
    [TestCase("resnet50", true)]
    [TestCase("googlenet", true)]
    public void PointwiseConvolutionsAreFoundByWeightShape(string model, bool expected)
    {
        using var net = Zoo.Create(model, new ModelOptions { InChannels = 1, NumClasses = 10 });
        Assert.That(OneDnnGuard.HasPointwiseConvolution(net), Is.EqualTo(expected));
    }

    /// <summary>
    /// On this machine, building a bottleneck ResNet applies the decision to the live libtorch: oneDNN is off exactly
    /// when the CPU hides its cache sizes (and then the backward pass, which would die with SIGFPE, completes);
    /// otherwise it is untouched.
    /// </summary>
    [Test]
    public void BuildingAModelAppliesTheDecisionToLibtorch()
    {
        using var net = Zoo.Create("resnet50", new ModelOptions { InChannels = 1, NumClasses = 10 });
        bool hazard = OneDnnGuard.CacheInfoMissing(X86Base.IsSupported ? (l, s) => X86Base.CpuId(l, s) : null);
        string? env = Environment.GetEnvironmentVariable(OneDnnGuard.EnvironmentVariable);
        bool expectOff = OneDnnGuard.Decide(env, hazard, pointwiseConvolutions: true) is not null;
        TestContext.Out.WriteLine($"cache info missing: {hazard}; {OneDnnGuard.EnvironmentVariable}={env ?? "(unset)"}; reason: {OneDnnGuard.DisabledReason ?? "(none)"}");
        Assert.That(OneDnnGuard.DisabledReason is not null, Is.EqualTo(expectOff));
        if (OperatingSystem.IsLinux()) Assert.That(OneDnnGuard.IsOneDnnEnabled(), Is.EqualTo(!expectOff), "libtorch's switch reads back");

        using var scope = NewDisposeScope();
        net.train();
        var loss = nn.functional.cross_entropy(net.call(randn(2, 1, 28, 28)), tensor(new long[] { 1, 2 }));
        loss.backward();
        Assert.That(float.IsFinite(loss.item<float>()));
    }
}
