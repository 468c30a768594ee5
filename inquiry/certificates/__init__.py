"""Certificates a member issues and anyone can verify (缴存证明, 贷款结清证明,
缴存明细, 年度对账单): codes.py (核验码), figures.py (pure), documents/ (what
each kind says), rendering.py (PDF + QR + signature), services.py (issue, void,
verify), selectors.py (reads), throttle.py (/verify/ limits), views.py."""
