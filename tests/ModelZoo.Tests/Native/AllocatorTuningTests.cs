using System.Runtime.InteropServices;

namespace ModelZoo.Tests.Native;

/// <summary>
/// The trainer's glibc malloc tuning: after <see cref="TorchRuntime.TuneAllocatorForTraining"/>, a 40 MiB block (a
/// typical activation; above the 32 MiB that glibc's dynamic mmap threshold can reach on its own) comes from the heap,
/// where the next step reuses it, instead of a fresh mmap that is page-faulted in again.
/// </summary>
public class AllocatorTuningTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
    }

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 MallInfo();

    [Test]
    public unsafe void LargeBlocksComeFromTheHeapAfterTuning()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("glibc tuning applies on Linux only");
        if (string.Equals(Environment.GetEnvironmentVariable(TorchRuntime.AllocatorEnvironmentVariable), "default", StringComparison.OrdinalIgnoreCase))
            Assert.Ignore("MODELZOO_MALLOC=default keeps glibc's settings");
        string? applied = TorchRuntime.TuneAllocatorForTraining();
        if (applied is null) Assert.Ignore("not glibc");
        Assert.That(applied, Does.Contain("glibc").And.Contain("mmap threshold 1 GiB"));
        Assert.That(TorchRuntime.TuneAllocatorForTraining(), Is.EqualTo(applied), "applied once; later calls report the same");

        const int size = 40 << 20;
        nuint mappedBefore = MallInfo().HBlkHd;
        void* block = NativeMemory.Alloc(size);
        try
        {
            new Span<byte>(block, size).Fill(1);
            nuint mappedAfter = MallInfo().HBlkHd;
            Assert.That((long)mappedAfter - (long)mappedBefore, Is.LessThan(size), "the 40 MiB block was mmapped: the threshold was not raised");
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }
}
