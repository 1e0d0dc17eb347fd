using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using ModelZoo;

string model = args[0]; int batch = int.Parse(args[1]); string prec = args[2]; bool cl = args[3].StartsWith("cl"); bool clw = args[3] == "cl"; int steps = int.Parse(args[4]);
int size = model.StartsWith("deepcnn") ? 28 : 224; int ch = model.StartsWith("deepcnn") ? 1 : 3;
torch.set_num_threads(2);
var net = Zoo.Create(model, new ModelOptions{ NumClasses = 10 });
Console.WriteLine($"onednn disabled: {TorchRuntime.OneDnnDisabledReason ?? "no"}; cpuid 8000001D eax={System.Runtime.Intrinsics.X86.X86Base.CpuId(unchecked((int)0x8000001D),0).Eax:x} leaf4={System.Runtime.Intrinsics.X86.X86Base.CpuId(4,0).Eax:x}");
if (Environment.GetEnvironmentVariable("FORCE_ONEDNN") == "1") { }
var lib = NativeLibrary.Load("libtorch_cpu.so");
unsafe {
  var setEn = (delegate* unmanaged<sbyte, byte, void>)NativeLibrary.GetExport(lib, "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb");
  var setDt = (delegate* unmanaged<sbyte, sbyte, void>)NativeLibrary.GetExport(lib, "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE");
  var clear = (delegate* unmanaged<void>)NativeLibrary.GetExport(lib, "_ZN2at8autocast11clear_cacheEv");
  net.train();
  if (clw) using (torch.no_grad()) foreach (var p in net.parameters()) if (p.dim()==4) p.set_(p.permute(0,2,3,1).contiguous().permute(0,3,1,2));
  var opt = torch.optim.Adam(net.parameters(), 1e-3);
  var x0 = torch.randn(batch, ch, size, size); if (cl) x0 = x0.permute(0,2,3,1).contiguous().permute(0,3,1,2);
  var y = torch.randint(0, 10, batch);
  var times = new List<double>();
  for (int i = 0; i < steps; i++) {
    using var scope = torch.NewDisposeScope();
    var sw = Stopwatch.StartNew();
    if (prec == "bf16") { setDt(0, 15); setEn(0, 1); } else if (prec == "fp16") { setDt(0, 5); setEn(0, 1); }
    var logits = net.call(x0);
    if (prec != "fp32") { setEn(0, 0); clear(); }
    var loss = torch.nn.functional.cross_entropy(logits.to(ScalarType.Float32), y);
    opt.zero_grad(); loss.backward(); opt.step();
    float l = loss.item<float>();
    times.Add(sw.Elapsed.TotalSeconds);
    if (i==0) Console.WriteLine($"logits dtype {logits.dtype} loss {l}");
  }
  var t = times.Skip(2).OrderBy(v=>v).ToList();
  Console.WriteLine($"{model} b{batch} {prec} {(cl?"cl":"nchw")}: median step {t[t.Count/2]*1000:F1} ms, {batch/t[t.Count/2]:F1} img/s");
}
