using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Compute;

/// <summary><see cref="Autocast"/>: libtorch's autocast reached by name, with PyTorch's semantics.</summary>
[TestFixture]
public sealed class AutocastTests
{
    [Test]
    public void IsAvailableOnLinux()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("autocast is bound by its Linux (Itanium ABI) names");
        Assert.That(Autocast.IsAvailable, Is.True);
    }

    [Test]
    public void ConvolutionsAndLinearLayersComputeIn16BitsInsideARegionOnly()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var conv = nn.Conv2d(3, 8, 3);
        var fc = nn.Linear(8, 4);
        var x = randn(2, 3, 8, 8);
        Tensor insideConv, insideFc;
        using (Autocast.Enter(ComputePrecision.Bf16))
        {
            Assert.That(Autocast.IsEnabled(), Is.True);
            insideConv = conv.call(x);
            insideFc = fc.call(insideConv.mean([2, 3]));
        }
        Assert.That(Autocast.IsEnabled(), Is.False, "the region restores the thread's state");
        Assert.That(insideConv.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(insideFc.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(conv.call(x).dtype, Is.EqualTo(ScalarType.Float32), "outside a region nothing is cast");
        Assert.That(conv.weight!.dtype, Is.EqualTo(ScalarType.Float32), "parameters are never changed");
        // bf16 keeps 8 significant bits: close to the float32 result, not equal to it.
        var reference = conv.call(x);
        var difference = (insideConv.to_type(ScalarType.Float32) - reference).abs().max().item<float>();
        Assert.That(difference, Is.GreaterThan(0f).And.LessThan(0.1f));
    }

    [Test]
    public void GradientsReachTheFloat32Weights()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var fc = nn.Linear(16, 3);
        Tensor y;
        using (Autocast.Enter(ComputePrecision.Bf16)) y = fc.call(randn(5, 16));
        y.to_type(ScalarType.Float32).sum().backward();
        Assert.That(fc.weight!.grad, Is.Not.Null);
        Assert.That(fc.weight!.grad!.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(fc.weight!.grad!.abs().sum().item<float>(), Is.GreaterThan(0f));
    }

    [Test]
    public void EachRegionSeesTheWeightsAsTheyAreNow()
    {
        // Autocast caches the 16-bit copy of a weight for the region; the cache must be emptied when the outermost
        // region ends, or the next step would compute with the weights of the step before.
        using var scope = NewDisposeScope();
        var fc = nn.Linear(4, 1, hasBias: false);
        using (no_grad()) fc.weight!.fill_(1);
        var x = ones(1, 4);
        Tensor first, second;
        using (Autocast.Enter(ComputePrecision.Bf16)) first = fc.call(x);
        using (no_grad()) fc.weight!.fill_(2);
        using (Autocast.Enter(ComputePrecision.Bf16)) second = fc.call(x);
        Assert.That(first.to_type(ScalarType.Float32).item<float>(), Is.EqualTo(4f));
        Assert.That(second.to_type(ScalarType.Float32).item<float>(), Is.EqualTo(8f));
    }

    [Test]
    public void RegionsNestAndFloat32RegionsChangeNothing()
    {
        using var scope = NewDisposeScope();
        var fc = nn.Linear(4, 2);
        var x = randn(3, 4);
        using (var fp32 = Autocast.Enter(ComputePrecision.Fp32))
        {
            Assert.That(fp32.IsActive, Is.False);
            Assert.That(fc.call(x).dtype, Is.EqualTo(ScalarType.Float32));
        }
        using (Autocast.Enter(ComputePrecision.Bf16))
        {
            using (Autocast.Enter(ComputePrecision.Fp16))
            {
                Assert.That(fc.call(x).dtype, Is.EqualTo(ScalarType.Float16), "the inner region's type wins");
            }
            Assert.That(Autocast.IsEnabled(), Is.True, "leaving the inner region keeps the outer one");
            Assert.That(fc.call(x).dtype, Is.EqualTo(ScalarType.BFloat16), "and restores its type");
        }
        Assert.That(Autocast.IsEnabled(), Is.False);
    }

    [TestCase("fp32", ComputePrecision.Fp32)]
    [TestCase("BF16", ComputePrecision.Bf16)]
    [TestCase("bfloat16", ComputePrecision.Bf16)]
    [TestCase("half", ComputePrecision.Fp16)]
    [TestCase(" fp16 ", ComputePrecision.Fp16)]
    public void PrecisionNamesParse(string text, ComputePrecision expected)
    {
        Assert.That(PrecisionSupport.Parse(text), Is.EqualTo(expected));
        Assert.That(PrecisionSupport.Parse(PrecisionSupport.Name(expected)), Is.EqualTo(expected), "names round-trip");
    }

    [Test]
    public void AnUnknownPrecisionNamesTheAcceptedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => PrecisionSupport.Parse("fp8"));
        Assert.That(e!.Message, Does.Contain("fp8").And.Contain("bf16"));
    }

    [Test]
    public void Float32IsAlwaysFastAndTheCheckGivesAReason()
    {
        Assert.That(PrecisionSupport.Check(ComputePrecision.Fp32).IsFast, Is.True);
        foreach (var p in new[] { ComputePrecision.Bf16, ComputePrecision.Fp16 })
        {
            var c = PrecisionSupport.Check(p, DeviceType.CPU);
            Assert.That(c.Reason, Is.Not.Empty);
            Assert.That(c.Precision, Is.EqualTo(p));
        }
        // This machine family (AMD EPYC with AVX512-BF16) reads as fast for bf16 when the flag is in /proc/cpuinfo.
        if (File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains(" avx512_bf16", StringComparison.Ordinal)
            && TorchRuntime.OneDnnDisabledReason is null)
            Assert.That(PrecisionSupport.Check(ComputePrecision.Bf16).IsFast, Is.True, "the cpuid reading agrees with the kernel's flags");
    }
}
