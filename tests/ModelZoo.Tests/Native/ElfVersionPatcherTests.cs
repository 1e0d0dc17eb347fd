using ModelZoo.Native;

namespace ModelZoo.Tests.Native;

/// <summary>The ELF reader/patcher on synthetic images: what it reads, what it changes, what it refuses.</summary>
public class ElfVersionPatcherTests
{
    private const string StdCxx = "libstdc++.so.6";
    private const string Needed = "GLIBCXX_3.4.32";

    private static ElfFixture TorchLike() => ElfFixture.WithNeeds(ElfFixture.TorchLikeNeeds);

    [Test]
    public void ReadsEveryVersionNeedInFileOrder()
    {
        var fixture = TorchLike();
        var needs = ElfVersionPatcher.ReadVersionNeeds(fixture.Image);
        Assert.That(needs.Select(n => $"{n.File} {n.Version}"), Is.EqualTo(new[]
        {
            "libc.so.6 GLIBC_2.2.5", "libc.so.6 GLIBC_2.14",
            "libstdc++.so.6 GLIBCXX_3.4.26", "libstdc++.so.6 GLIBCXX_3.4.32", "libstdc++.so.6 CXXABI_1.3",
            "libm.so.6 GLIBC_2.2.5",
        }));
        Assert.That(needs.All(n => !n.IsWeak), Is.True);
        Assert.That(needs.Single(n => n.Version == Needed).FlagsOffset, Is.EqualTo(fixture.AuxOffsets[$"{StdCxx} {Needed}"] + 4));
    }

    [Test]
    public void PatchChangesExactlyTheOneFlagsByte()
    {
        var fixture = TorchLike();
        var original = (byte[])fixture.Image.Clone();
        var image = fixture.Image;

        Assert.That(ElfVersionPatcher.MakeVersionNeedWeak(image, StdCxx, Needed), Is.EqualTo(ElfPatchResult.Patched));

        var changed = Enumerable.Range(0, image.Length).Where(i => image[i] != original[i]).ToList();
        int flags = fixture.AuxOffsets[$"{StdCxx} {Needed}"] + 4;
        Assert.That(changed, Is.EqualTo(new[] { flags }));
        Assert.That(image[flags], Is.EqualTo(original[flags] | ElfVersionPatcher.VerFlagWeak));
        var needs = ElfVersionPatcher.ReadVersionNeeds(image);
        Assert.That(needs.Where(n => n.IsWeak).Select(n => n.Version), Is.EqualTo(new[] { Needed }));
        Assert.DoesNotThrow(() => ElfVersionPatcher.VerifyOnlyFlagsChanged(original, image, StdCxx, Needed));
    }

    [Test]
    public void PatchIsIdempotent()
    {
        var image = TorchLike().Image;
        ElfVersionPatcher.MakeVersionNeedWeak(image, StdCxx, Needed);
        var once = (byte[])image.Clone();
        Assert.That(ElfVersionPatcher.MakeVersionNeedWeak(image, StdCxx, Needed), Is.EqualTo(ElfPatchResult.AlreadyWeak));
        Assert.That(image, Is.EqualTo(once));
    }

    [Test]
    public void NeedOnlyFromAnotherLibraryIsNotTouched()
    {
        var image = ElfFixture.WithNeeds(("libfoo.so.1", new[] { Needed }), (StdCxx, new[] { "GLIBCXX_3.4.26" })).Image;
        var original = (byte[])image.Clone();
        Assert.That(ElfVersionPatcher.MakeVersionNeedWeak(image, StdCxx, Needed), Is.EqualTo(ElfPatchResult.NotNeeded));
        Assert.That(image, Is.EqualTo(original));
    }

    [Test]
    public void VerifyRejectsAnyOtherChange()
    {
        var fixture = TorchLike();
        var original = (byte[])fixture.Image.Clone();
        ElfVersionPatcher.MakeVersionNeedWeak(fixture.Image, StdCxx, Needed);
        fixture.Image[fixture.AuxOffsets[$"{StdCxx} GLIBCXX_3.4.26"] + 4] |= 2;
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.VerifyOnlyFlagsChanged(original, fixture.Image, StdCxx, Needed));
    }

    [Test]
    public void ReadsVersionDefinitions()
    {
        var image = ElfFixture.WithDefinitions("GLIBCXX_3.4", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30", "CXXABI_1.3").Image;
        Assert.That(ElfVersionPatcher.ReadVersionDefinitions(image),
            Is.EqualTo(new[] { "libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30", "CXXABI_1.3" }));
    }

    [Test]
    public void GlibcxxVersionsOfAFileListsOnlyGlibcxx()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mz-libstdcxx-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, ElfFixture.WithDefinitions("GLIBCXX_3.4", "GLIBCXX_3.4.30", "CXXABI_1.3").Image);
            Assert.That(ElfVersionPatcher.GlibcxxVersionsOf(path), Is.EqualTo(new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.30" }));
            File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
            Assert.That(ElfVersionPatcher.GlibcxxVersionsOf(path), Is.Empty);
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void ElfHashMatchesKnownValues()
    {
        // Values as stored by the GNU toolchain in real libraries' vna_hash fields.
        Assert.That(ElfVersionPatcher.ElfHash("GLIBC_2.2.5"), Is.EqualTo(0x09691a75u));
        Assert.That(ElfVersionPatcher.ElfHash("GLIBCXX_3.4"), Is.EqualTo(0x08922974u));
        Assert.That(ElfVersionPatcher.ElfHash(""), Is.EqualTo(0u));
    }

    /// <summary>Each corruption, applied to a fresh torch-like image.</summary>
    public static IEnumerable<TestCaseData> Corruptions()
    {
        yield return Case("bad magic", f => f.Image[1] = (byte)'X');
        yield return Case("32-bit class", f => f.Image[4] = 1);
        yield return Case("big-endian", f => f.Image[5] = 2);
        yield return Case("section header size", f => ElfFixture.W16(f.Image, 0x3A, 40));
        yield return Case("section table past the end", f => ElfFixture.W64(f.Image, 0x28, (ulong)f.Image.Length - 64));
        yield return Case("section offset beyond long", f => ElfFixture.W64(f.Image, f.VersionSectionHeader + 0x18, ulong.MaxValue));
        yield return Case("section runs past the end", f => ElfFixture.W64(f.Image, f.VersionSectionHeader + 0x20, (ulong)f.Image.Length));
        yield return Case("link to a non-string table", f => ElfFixture.W32(f.Image, f.VersionSectionHeader + 0x28, 2));
        yield return Case("link out of range", f => ElfFixture.W32(f.Image, f.VersionSectionHeader + 0x28, 99));
        yield return Case("string offset out of range", f => ElfFixture.W32(f.Image, f.AuxOffsets["libstdc++.so.6 GLIBCXX_3.4.32"] + 8, 0xFFFF));
        yield return Case("file name offset out of range", f => ElfFixture.W32(f.Image, f.NeedOffsets[1] + 4, 0x10000));
        yield return Case("hash mismatch", f => f.Image[f.AuxOffsets["libstdc++.so.6 GLIBCXX_3.4.32"]] ^= 0x01);
        yield return Case("unknown Verneed version", f => ElfFixture.W16(f.Image, f.NeedOffsets[0], 2));
        yield return Case("aux chain runs outside the section", f => ElfFixture.W32(f.Image, f.NeedOffsets[2] + 8, 0x4000));
        yield return Case("need chain runs outside the section", f => ElfFixture.W32(f.Image, f.NeedOffsets[1] + 12, 0x4000));
        yield return Case("more needs claimed than chained", f => ElfFixture.W32(f.Image, f.VersionSectionHeader + 0x2C, 4));
        yield return Case("more aux claimed than chained", f => ElfFixture.W16(f.Image, f.NeedOffsets[1] + 2, 5));

        static TestCaseData Case(string name, Action<ElfFixture> corrupt)
        {
            var f = ElfFixture.WithNeeds(ElfFixture.TorchLikeNeeds);
            corrupt(f);
            return new TestCaseData(f.Image).SetArgDisplayNames(name);
        }
    }

    [TestCaseSource(nameof(Corruptions))]
    public void MalformedImageIsRejectedAndLeftUntouched(byte[] image)
    {
        var original = (byte[])image.Clone();
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.MakeVersionNeedWeak(image, StdCxx, Needed));
        Assert.That(image, Is.EqualTo(original));
    }

    [TestCaseSource(nameof(Corruptions))]
    public void MalformedFileIsRejectedAndLeftUntouched(byte[] image)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mz-elf-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, image);
            var stamp = File.GetLastWriteTimeUtc(path);
            var ex = Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.PatchFile(path, StdCxx, Needed));
            Assert.That(ex!.Message, Does.StartWith(path));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(image));
            Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(stamp));
            Assert.That(File.Exists(path + ".modelzoo-patch.tmp"), Is.False);
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void TruncatedSectionTableIsRejected()
    {
        var fixture = TorchLike();
        var truncated = fixture.Image.AsSpan(0, fixture.SectionTableOffset + 2 * 64 + 10).ToArray();
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.ReadVersionNeeds(truncated));
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.ReadVersionNeeds(fixture.Image.AsSpan(0, 40).ToArray()));
    }

    [Test]
    public void PatchFileRewritesAndKeepsTimestamp()
    {
        var fixture = TorchLike();
        string path = Path.Combine(Path.GetTempPath(), $"mz-elf-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, fixture.Image);
            var stamp = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, stamp);

            Assert.That(ElfVersionPatcher.PatchFile(path, StdCxx, Needed), Is.EqualTo(ElfPatchResult.Patched));
            var patched = File.ReadAllBytes(path);
            Assert.That(Enumerable.Range(0, patched.Length).Count(i => patched[i] != fixture.Image[i]), Is.EqualTo(1));
            Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(stamp));

            Assert.That(ElfVersionPatcher.PatchFile(path, StdCxx, Needed), Is.EqualTo(ElfPatchResult.AlreadyWeak));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(patched));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void PatchFileReplacesAHardLinkInsteadOfWritingThroughIt()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("hard links via ln: Linux only");
        var fixture = TorchLike();
        string dir = Path.Combine(Path.GetTempPath(), $"mz-link-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string cache = Path.Combine(dir, "cache.so"), output = Path.Combine(dir, "output.so");
            File.WriteAllBytes(cache, fixture.Image);
            using (var ln = System.Diagnostics.Process.Start("ln", new[] { cache, output })) ln.WaitForExit();
            Assume.That(File.Exists(output), "ln failed");

            Assert.That(ElfVersionPatcher.PatchFile(output, StdCxx, Needed), Is.EqualTo(ElfPatchResult.Patched));
            Assert.That(File.ReadAllBytes(cache), Is.EqualTo(fixture.Image), "the linked 'cache' file must keep its bytes");
            Assert.That(File.ReadAllBytes(output), Is.Not.EqualTo(fixture.Image));
        }
        finally { Directory.Delete(dir, true); }
    }
}
