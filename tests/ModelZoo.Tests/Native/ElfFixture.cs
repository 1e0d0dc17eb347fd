using System.Text;
using ModelZoo.Native;

namespace ModelZoo.Tests.Native;

/// <summary>
/// Builds minimal ELF64 little-endian images in memory: a header, a .dynstr, a .gnu.version_r (needs) or
/// .gnu.version_d (definitions), a .shstrtab and the section header table at the end of the file.
/// Offsets of the interesting fields are exposed so tests can corrupt them.
/// </summary>
internal sealed class ElfFixture
{
    public const uint ShtStrtab = 3;
    public const uint ShtVerneed = 0x6ffffffe;
    public const uint ShtVerdef = 0x6ffffffd;

    public byte[] Image { get; private init; } = Array.Empty<byte>();
    public int SectionTableOffset { get; private init; }
    public int VersionSectionOffset { get; private init; }
    public int VersionSectionHeader { get; private init; }
    /// <summary>Offset of each Vernaux (need) record, in file order, keyed by "file version".</summary>
    public Dictionary<string, int> AuxOffsets { get; } = new();
    /// <summary>Offset of each Verneed record, in file order.</summary>
    public List<int> NeedOffsets { get; } = new();

    /// <summary>The needs of a TorchSharp-like library: libstdc++ 3.4.32 among others.</summary>
    public static readonly (string File, string[] Versions)[] TorchLikeNeeds =
    {
        ("libc.so.6", new[] { "GLIBC_2.2.5", "GLIBC_2.14" }),
        ("libstdc++.so.6", new[] { "GLIBCXX_3.4.26", "GLIBCXX_3.4.32", "CXXABI_1.3" }),
        ("libm.so.6", new[] { "GLIBC_2.2.5" }),
    };

    public static ElfFixture WithNeeds(params (string File, string[] Versions)[] needs)
    {
        var strings = new StringTable();
        foreach (var (file, versions) in needs)
        {
            strings.Add(file);
            foreach (var v in versions) strings.Add(v);
        }
        var section = new List<byte>();
        var auxByKey = new Dictionary<string, int>();
        var needRel = new List<int>();
        for (int i = 0; i < needs.Length; i++)
        {
            var (file, versions) = needs[i];
            int start = section.Count;
            needRel.Add(start);
            int size = 16 + 16 * versions.Length;
            Put16(section, 1);
            Put16(section, (ushort)versions.Length);
            Put32(section, strings.Offset(file));
            Put32(section, 16);
            Put32(section, i + 1 < needs.Length ? (uint)size : 0);
            for (int j = 0; j < versions.Length; j++)
            {
                auxByKey[$"{file} {versions[j]}"] = section.Count;
                Put32(section, ElfVersionPatcher.ElfHash(versions[j]));
                Put16(section, 0);
                Put16(section, (ushort)(j + 2));
                Put32(section, strings.Offset(versions[j]));
                Put32(section, j + 1 < versions.Length ? 16u : 0u);
            }
        }
        var fixture = Assemble(strings, section.ToArray(), ShtVerneed, (uint)needs.Length);
        foreach (var (k, v) in auxByKey) fixture.AuxOffsets[k] = fixture.VersionSectionOffset + v;
        fixture.NeedOffsets.AddRange(needRel.Select(r => fixture.VersionSectionOffset + r));
        return fixture;
    }

    /// <summary>A libstdc++-like image that defines the given versions.</summary>
    public static ElfFixture WithDefinitions(params string[] versions)
    {
        var strings = new StringTable();
        strings.Add("libstdc++.so.6");
        foreach (var v in versions) strings.Add(v);
        var names = new[] { "libstdc++.so.6" }.Concat(versions).ToArray();
        var section = new List<byte>();
        for (int i = 0; i < names.Length; i++)
        {
            Put16(section, 1);
            Put16(section, (ushort)(i == 0 ? 1 : 0)); // VER_FLG_BASE on the first
            Put16(section, (ushort)(i + 1));
            Put16(section, 1);
            Put32(section, ElfVersionPatcher.ElfHash(names[i]));
            Put32(section, 20);
            Put32(section, i + 1 < names.Length ? 28u : 0u);
            Put32(section, strings.Offset(names[i]));
            Put32(section, 0);
        }
        return Assemble(strings, section.ToArray(), ShtVerdef, (uint)names.Length);
    }

    private static ElfFixture Assemble(StringTable dynstr, byte[] versionSection, uint versionType, uint count)
    {
        var shstr = new StringTable();
        shstr.Add(".dynstr");
        string versionName = versionType == ShtVerneed ? ".gnu.version_r" : ".gnu.version_d";
        shstr.Add(versionName);
        shstr.Add(".shstrtab");

        var file = new List<byte>(new byte[64]);
        Align(file, 8);
        int dynstrOff = file.Count; file.AddRange(dynstr.Bytes);
        Align(file, 8);
        int verOff = file.Count; file.AddRange(versionSection);
        int shstrOff = file.Count; file.AddRange(shstr.Bytes);
        Align(file, 8);
        int shoff = file.Count;

        // [0] null, [1] .dynstr, [2] version section, [3] .shstrtab
        file.AddRange(new byte[64]);
        file.AddRange(SectionHeader(shstr.Offset(".dynstr"), ShtStrtab, dynstrOff, dynstr.Bytes.Length, 0, 0));
        file.AddRange(SectionHeader(shstr.Offset(versionName), versionType, verOff, versionSection.Length, 1, count));
        file.AddRange(SectionHeader(shstr.Offset(".shstrtab"), ShtStrtab, shstrOff, shstr.Bytes.Length, 0, 0));

        var image = file.ToArray();
        image[0] = 0x7f; image[1] = (byte)'E'; image[2] = (byte)'L'; image[3] = (byte)'F';
        image[4] = 2; image[5] = 1; image[6] = 1;
        W16(image, 0x10, 3);      // ET_DYN
        W16(image, 0x12, 0x3e);   // x86-64
        W32(image, 0x14, 1);
        W64(image, 0x28, (ulong)shoff);
        W16(image, 0x34, 64);
        W16(image, 0x3A, 64);
        W16(image, 0x3C, 4);
        W16(image, 0x3E, 3);
        return new ElfFixture
        {
            Image = image,
            SectionTableOffset = shoff,
            VersionSectionOffset = verOff,
            VersionSectionHeader = shoff + 2 * 64,
        };
    }

    private static byte[] SectionHeader(uint name, uint type, long offset, long size, uint link, uint info)
    {
        var h = new byte[64];
        W32(h, 0, name);
        W32(h, 4, type);
        W64(h, 0x18, (ulong)offset);
        W64(h, 0x20, (ulong)size);
        W32(h, 0x28, link);
        W32(h, 0x2C, info);
        W64(h, 0x30, type == ShtStrtab ? 1ul : 8ul);
        return h;
    }

    public static void W16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
    public static void W32(byte[] b, int o, uint v) { for (int i = 0; i < 4; i++) b[o + i] = (byte)(v >> (8 * i)); }
    public static void W64(byte[] b, int o, ulong v) { for (int i = 0; i < 8; i++) b[o + i] = (byte)(v >> (8 * i)); }
    private static void Put16(List<byte> b, ushort v) { b.Add((byte)v); b.Add((byte)(v >> 8)); }
    private static void Put32(List<byte> b, uint v) { for (int i = 0; i < 4; i++) b.Add((byte)(v >> (8 * i))); }
    private static void Align(List<byte> b, int a) { while (b.Count % a != 0) b.Add(0); }

    private sealed class StringTable
    {
        private readonly List<byte> _bytes = new() { 0 };
        private readonly Dictionary<string, uint> _offsets = new();
        public byte[] Bytes => _bytes.ToArray();
        public void Add(string s)
        {
            if (_offsets.ContainsKey(s)) return;
            _offsets[s] = (uint)_bytes.Count;
            _bytes.AddRange(Encoding.UTF8.GetBytes(s));
            _bytes.Add(0);
        }
        public uint Offset(string s) => _offsets[s];
    }
}
