import glob, torch, time, math, numpy as np, sys
import torch.nn.functional as F
import train3d as T
from unet import UNet3D, UNet2D
torch.set_num_threads(2)
val=[T.load(f, torch.device('cpu')) for f in sorted(glob.glob('../../.training-data/gpu-val/*.npz'))]
st=torch.load(sys.argv[1], map_location='cpu')
m3=UNet3D(base=st['base'], levels=st['levels']); m3.load_state_dict({k:(v.float() if v.is_floating_point() else v) for k,v in st['model'].items()}); m3.eval()
s2=torch.load(sys.argv[2], map_location='cpu'); m2=UNet2D(classes=8, base=s2['base']); m2.load_state_dict(s2['model']); m2.eval()
def lp3(p):
    nz,ny,nx=p['ct'].shape; pad=[(-s)%16 for s in (nx,ny,nz)]
    x=F.pad(T.normalise(p['ct'])[None,None],(0,pad[0],0,pad[1],0,pad[2]),value=T.PAD_N)
    with torch.no_grad(): return F.log_softmax(m3(x),1)[0,:,:nz,:ny,:nx]
def lp2(p):
    nz,ny,nx=p['ct'].shape; pad=[(-s)%8 for s in (nx,ny)]
    x=T.normalise(p['ct']); x=F.pad(x,(0,pad[0],0,pad[1]),value=T.PAD_N)
    idx=torch.arange(nz); sl=torch.stack([x[(idx-1).clamp(0,nz-1)],x[idx],x[(idx+1).clamp(0,nz-1)]],1)
    out=[]
    with torch.no_grad():
        for i in range(0,nz,16): out.append(F.log_softmax(m2(sl[i:i+16]),1))
    return torch.cat(out,0).permute(1,0,2,3)[:,:,:ny,:nx]
res={'3d':{},'2.5d':{},'ens':{},'ensp':{}}
for p in val:
    a,b=lp3(p),lp2(p)
    for name,l in (('3d',a),('2.5d',b),("ens",(a+b)/2),("ensp",torch.logsumexp(torch.stack([a,b]),0))):
        pred=l.argmax(0)
        for k in range(1,8):
            if not bool(p['contoured'][k-1]): continue
            A,B=pred==k,p['label']==k; s=int(A.sum()+B.sum())
            res[name].setdefault(T.CLASSES[k],[]).append(2*int((A&B).sum())/s if s else 1.0)
for name,r in res.items():
    per={k:float(np.mean(v)) for k,v in r.items()}; print(name, round(float(np.mean(list(per.values()))),4), {k:round(v,3) for k,v in per.items()})
