// ModelZoo native-load fix for TorchSharp on older glibc/libstdc++ (Debian 12, Ubuntu 22.04).
//
// This one file is compiled three ways:
//  * by MSBuild's RoslynCodeTaskFactory (ModelZoo.targets) into the PatchTorchSharpNative task,
//  * into the ModelZoo library (MODELZOO_LIBRARY defined) for load diagnostics,
//  * into the tests, which exercise the ELF logic on fixtures.
// Keep it dependency-free (BCL only) so all three compile it unchanged.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelZoo.Native
{
    /// <summary>Outcome of <see cref="ElfVersionPatcher.MakeVersionNeedWeak(byte[], string, string)"/>.</summary>
#if MODELZOO_LIBRARY
    internal
#else
    public
#endif
    enum ElfPatchResult
    {
        /// <summary>The version need was found and its weak bit has now been set.</summary>
        Patched,
        /// <summary>The version need was already weak; nothing changed.</summary>
        AlreadyWeak,
        /// <summary>The library does not need that version; nothing changed.</summary>
        NotNeeded,
    }

    /// <summary>The ELF file is not one this code understands, or its structure is inconsistent.</summary>
#if MODELZOO_LIBRARY
    internal
#else
    public
#endif
    sealed class ElfFormatException : Exception
    {
        /// <summary>Creates the exception with a message naming what is wrong.</summary>
        public ElfFormatException(string message) : base(message) { }
    }

    /// <summary>One entry of an ELF <c>.gnu.version_r</c> section: a version a library needs from another.</summary>
#if MODELZOO_LIBRARY
    internal
#else
    public
#endif
    sealed class ElfVersionNeed
    {
        /// <summary>Creates an entry.</summary>
        public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        { File = file; Version = version; Flags = flags; FlagsOffset = flagsOffset; }
        /// <summary>The library the version is needed from (e.g. <c>libstdc++.so.6</c>).</summary>
        public string File { get; }
        /// <summary>The version name (e.g. <c>GLIBCXX_3.4.32</c>).</summary>
        public string Version { get; }
        /// <summary>The raw <c>vna_flags</c> (bit 0x2 = weak).</summary>
        public ushort Flags { get; }
        /// <summary>File offset of the 16-bit <c>vna_flags</c> field.</summary>
        public long FlagsOffset { get; }
        /// <summary>True when the loader treats a missing version as a warning, not an error.</summary>
        public bool IsWeak => (Flags & ElfVersionPatcher.VerFlagWeak) != 0;
        /// <inheritdoc />
        public override string ToString() => $"{File} {Version} flags=0x{Flags:x}";
    }

    /// <summary>
    /// Minimal, strictly bounds-checked reader/patcher for the GNU symbol-versioning sections of
    /// 64-bit little-endian ELF shared libraries. It changes at most one 16-bit field.
    /// </summary>
#if MODELZOO_LIBRARY
    internal
#else
    public
#endif
    static class ElfVersionPatcher
    {
        /// <summary><c>VER_FLG_WEAK</c>: a missing version is a warning, not a load failure.</summary>
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtStrtab = 3;

        /// <summary>Lists every version need of the library image.</summary>
        /// <exception cref="ElfFormatException">The image is not a well-formed ELF64 LE file.</exception>
        public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(byte[] image)
        {
            var elf = new Elf(image);
            var result = new List<ElfVersionNeed>();
            foreach (var section in elf.SectionsOfType(ShtGnuVerneed))
            {
                var strtab = elf.Section(section.Link);
                if (strtab.Type != ShtStrtab)
                    throw new ElfFormatException("the .gnu.version_r section does not link to a string table");
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    elf.Require(entry, 16, section);
                    ushort vnVersion = elf.U16(entry);
                    ushort vnCnt = elf.U16(entry + 2);
                    uint vnFile = elf.U32(entry + 4);
                    uint vnAux = elf.U32(entry + 8);
                    uint vnNext = elf.U32(entry + 12);
                    if (vnVersion != 1) throw new ElfFormatException($"unsupported Verneed version {vnVersion}");
                    string file = elf.String(strtab, vnFile);
                    long aux = entry + vnAux;
                    for (uint j = 0; j < vnCnt; j++)
                    {
                        elf.Require(aux, 16, section);
                        uint hash = elf.U32(aux);
                        ushort flags = elf.U16(aux + 4);
                        uint name = elf.U32(aux + 8);
                        uint next = elf.U32(aux + 12);
                        string version = elf.String(strtab, name);
                        if (ElfHash(version) != hash)
                            throw new ElfFormatException($"hash mismatch for version need {version}: the section is not what it seems");
                        result.Add(new ElfVersionNeed(file, version, flags, aux + 4));
                        if (next == 0 && j + 1 < vnCnt) throw new ElfFormatException("Vernaux chain ends early");
                        aux += next;
                    }
                    if (vnNext == 0 && i + 1 < section.Info) throw new ElfFormatException("Verneed chain ends early");
                    entry += vnNext;
                }
            }
            return result;
        }

        /// <summary>Lists the versions a library defines (its <c>.gnu.version_d</c>), e.g. libstdc++'s GLIBCXX_*.</summary>
        /// <exception cref="ElfFormatException">The image is not a well-formed ELF64 LE file.</exception>
        public static IReadOnlyList<string> ReadVersionDefinitions(byte[] image)
        {
            var elf = new Elf(image);
            var result = new List<string>();
            foreach (var section in elf.SectionsOfType(ShtGnuVerdef))
            {
                var strtab = elf.Section(section.Link);
                if (strtab.Type != ShtStrtab)
                    throw new ElfFormatException("the .gnu.version_d section does not link to a string table");
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    elf.Require(entry, 20, section);
                    if (elf.U16(entry) != 1) throw new ElfFormatException($"unsupported Verdef version {elf.U16(entry)}");
                    ushort vdCnt = elf.U16(entry + 6);
                    uint vdAux = elf.U32(entry + 12);
                    uint vdNext = elf.U32(entry + 16);
                    if (vdCnt > 0)
                    {
                        elf.Require(entry + vdAux, 8, section);
                        result.Add(elf.String(strtab, elf.U32(entry + vdAux)));
                    }
                    if (vdNext == 0) break;
                    entry += vdNext;
                }
            }
            return result;
        }

        /// <summary>
        /// Sets the weak bit of the need for <paramref name="version"/> from <paramref name="file"/>, in place.
        /// Every structure is validated before the single 16-bit field is written.
        /// </summary>
        /// <exception cref="ElfFormatException">The image is not a well-formed ELF64 LE file.</exception>
        public static ElfPatchResult MakeVersionNeedWeak(byte[] image, string file, string version)
        {
            ElfPatchResult result = ElfPatchResult.NotNeeded;
            foreach (var need in ReadVersionNeeds(image))
            {
                if (need.File != file || need.Version != version) continue;
                if (need.IsWeak) { if (result == ElfPatchResult.NotNeeded) result = ElfPatchResult.AlreadyWeak; continue; }
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                image[need.FlagsOffset] = (byte)(flags & 0xff);
                image[need.FlagsOffset + 1] = (byte)(flags >> 8);
                result = ElfPatchResult.Patched;
            }
            return result;
        }

        /// <summary>
        /// Patches a library file in place (write to a temporary file in the same folder, then rename),
        /// keeping its timestamp. Returns what happened.
        /// </summary>
        public static ElfPatchResult PatchFile(string path, string file, string version)
        {
            byte[] original = System.IO.File.ReadAllBytes(path);
            byte[] image = (byte[])original.Clone();
            ElfPatchResult result;
            try
            {
                result = MakeVersionNeedWeak(image, file, version);
                if (result == ElfPatchResult.Patched) VerifyOnlyFlagsChanged(original, image, file, version);
            }
            catch (ElfFormatException e) { throw new ElfFormatException($"{path}: {e.Message}"); }
            if (result != ElfPatchResult.Patched) return result;
            var stamp = System.IO.File.GetLastWriteTimeUtc(path);
            // Write a sibling file and rename it over the original: a hard link or symbolic link that an
            // output copy may share with the NuGet cache is replaced, never written through.
            string temp = path + ".modelzoo-patch.tmp";
            try
            {
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(image, 0, image.Length);
                    stream.Flush(true);
                }
                System.IO.File.SetLastWriteTimeUtc(temp, stamp);
                System.IO.File.Replace(temp, path, null);
            }
            finally
            {
                if (System.IO.File.Exists(temp)) System.IO.File.Delete(temp);
            }
            return result;
        }

        /// <summary>
        /// Re-reads a patched image and checks that the only bytes that differ from the original are the
        /// <c>vna_flags</c> fields of the named need, and that each of those is now weak.
        /// </summary>
        /// <exception cref="ElfFormatException">Anything else changed, or the need is still strong.</exception>
        public static void VerifyOnlyFlagsChanged(byte[] original, byte[] patched, string file, string version)
        {
            if (original.Length != patched.Length) throw new ElfFormatException("patched image changed length");
            var allowed = new HashSet<long>();
            foreach (var need in ReadVersionNeeds(patched))
            {
                if (need.File != file || need.Version != version) continue;
                if (!need.IsWeak) throw new ElfFormatException($"{version} need is still strong after patching");
                allowed.Add(need.FlagsOffset);
                allowed.Add(need.FlagsOffset + 1);
            }
            for (long i = 0; i < original.Length; i++)
                if (original[i] != patched[i] && !allowed.Contains(i))
                    throw new ElfFormatException($"patched image differs at offset 0x{i:x}, outside the version-need flags");
        }

        /// <summary>The classic SysV ELF hash used by <c>vna_hash</c>.</summary>
        public static uint ElfHash(string name)
        {
            uint h = 0;
            foreach (byte b in Encoding.UTF8.GetBytes(name))
            {
                h = (h << 4) + b;
                uint g = h & 0xf0000000;
                if (g != 0) h ^= g >> 24;
                h &= ~g;
            }
            return h;
        }

        /// <summary>
        /// Finds the host's <c>libstdc++.so.6</c> (null when none is found) by looking in the usual library folders.
        /// </summary>
        public static string? FindHostLibStdCxx()
        {
            string[] dirs =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib64", "/usr/local/lib",
            };
            foreach (var dir in dirs)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (System.IO.File.Exists(candidate)) return candidate;
            }
            return null;
        }

        /// <summary>The GLIBCXX_* versions a libstdc++ defines, or an empty list when it cannot be read.</summary>
        public static IReadOnlyList<string> GlibcxxVersionsOf(string libstdcxxPath)
        {
            try
            {
                var all = ReadVersionDefinitions(System.IO.File.ReadAllBytes(libstdcxxPath));
                return all.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal)).ToList();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ElfFormatException)
            {
                return Array.Empty<string>();
            }
        }

        private readonly struct SectionHeader
        {
            public SectionHeader(uint type, long offset, long size, uint link, uint info)
            { Type = type; Offset = offset; Size = size; Link = link; Info = info; }
            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        private sealed class Elf
        {
            private readonly byte[] _b;
            private readonly long _shoff;
            private readonly int _shentsize;
            private readonly int _shnum;

            public Elf(byte[] image)
            {
                _b = image;
                if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                    throw new ElfFormatException("not an ELF file (bad magic)");
                if (image[4] != 2) throw new ElfFormatException("not a 64-bit ELF file");
                if (image[5] != 1) throw new ElfFormatException("not a little-endian ELF file");
                if (image[6] != 1) throw new ElfFormatException("unknown ELF version");
                _shoff = ToOffset(U64(0x28), "section header offset");
                _shentsize = U16(0x3A);
                _shnum = U16(0x3C);
                if (_shentsize != 64) throw new ElfFormatException($"unexpected section header size {_shentsize}");
                if (_shnum == 0) throw new ElfFormatException("no section headers");
                if (_shoff <= 0 || _shoff > image.Length || (long)_shnum * _shentsize > image.Length - _shoff)
                    throw new ElfFormatException("section header table lies outside the file");
            }

            public SectionHeader Section(uint index)
            {
                if (index >= _shnum) throw new ElfFormatException($"section index {index} out of range");
                long h = _shoff + (long)index * _shentsize;
                var s = new SectionHeader(U32(h + 4), ToOffset(U64(h + 0x18), "section offset"), ToOffset(U64(h + 0x20), "section size"), U32(h + 0x28), U32(h + 0x2C));
                if (s.Type != 8 /* NOBITS */ && (s.Offset < 0 || s.Size < 0 || s.Offset > _b.Length || s.Size > _b.Length - s.Offset))
                    throw new ElfFormatException($"section {index} lies outside the file");
                return s;
            }

            public IEnumerable<SectionHeader> SectionsOfType(uint type)
            {
                for (uint i = 0; i < _shnum; i++)
                {
                    var s = Section(i);
                    if (s.Type == type) yield return s;
                }
            }

            public void Require(long offset, int length, SectionHeader within)
            {
                if (offset < within.Offset || offset + length > within.Offset + within.Size)
                    throw new ElfFormatException("version entry lies outside its section");
            }

            public string String(SectionHeader strtab, uint offset)
            {
                if (offset >= strtab.Size) throw new ElfFormatException("string offset outside the string table");
                long start = strtab.Offset + offset;
                long end = start;
                long limit = strtab.Offset + strtab.Size;
                while (end < limit && _b[end] != 0) end++;
                if (end == limit) throw new ElfFormatException("unterminated string in the string table");
                return Encoding.UTF8.GetString(_b, (int)start, (int)(end - start));
            }

            private static long ToOffset(ulong value, string what)
            {
                if (value > long.MaxValue) throw new ElfFormatException($"{what} 0x{value:x} is not a valid file offset");
                return (long)value;
            }

            public ushort U16(long o) { Check(o, 2); return (ushort)(_b[o] | _b[o + 1] << 8); }
            public uint U32(long o) { Check(o, 4); return (uint)(_b[o] | _b[o + 1] << 8 | _b[o + 2] << 16 | _b[o + 3] << 24); }
            public ulong U64(long o) { Check(o, 8); return U32(o) | (ulong)U32(o + 4) << 32; }
            private void Check(long o, int n) { if (o < 0 || o + n > _b.Length) throw new ElfFormatException("read past the end of the file"); }
        }
    }

#if !MODELZOO_LIBRARY
    /// <summary>
    /// MSBuild task: makes the GLIBCXX_3.4.32 need of output copies of libLibTorchSharp.so weak when the
    /// host libstdc++ lacks that version. Never touches files outside the given list.
    /// </summary>
    public sealed class PatchTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        /// <summary>Output copies of libLibTorchSharp.so to consider.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The version to make weak.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        /// <summary>The NuGet global packages folder (<c>$(NuGetPackageRoot)</c>); files under it are never patched.</summary>
        public string? PackageRoot { get; set; }

        /// <summary>Patch even when the host has the version (used by tool packing so the package runs anywhere).</summary>
        public bool Force { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!Force)
            {
                string? host = ElfVersionPatcher.FindHostLibStdCxx();
                if (host != null)
                {
                    var versions = ElfVersionPatcher.GlibcxxVersionsOf(host);
                    if (versions.Contains(Version))
                    {
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"ModelZoo: {host} provides {Version}; TorchSharp natives left as shipped.");
                        return true;
                    }
                }
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (IsInPackageCache(path))
                {
                    Log.LogWarning($"ModelZoo: refusing to patch {path}: it is in the NuGet cache, not an output copy.");
                    continue;
                }
                try
                {
                    var result = ElfVersionPatcher.PatchFile(path, "libstdc++.so.6", Version);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"ModelZoo: {path}: {result} ({Version} need made weak for older libstdc++).");
                }
                catch (ElfFormatException e)
                {
                    Log.LogWarning($"ModelZoo: could not patch {path}: {e.Message}. TorchSharp may fail to load on this host.");
                }
                catch (IOException e)
                {
                    Log.LogWarning($"ModelZoo: could not patch {path}: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }

        private bool IsInPackageCache(string path)
        {
            string full = Path.GetFullPath(path).Replace('\\', '/');
            if (full.IndexOf("/.nuget/packages/", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            if (string.IsNullOrWhiteSpace(PackageRoot)) return false;
            string root = Path.GetFullPath(PackageRoot!).Replace('\\', '/').TrimEnd('/') + "/";
            return full.StartsWith(root, StringComparison.Ordinal);
        }
    }
#endif
}
